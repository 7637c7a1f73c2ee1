"""Reply coach round trip (issue 6, point 8): the desk's HTMX POST with a draft, timed through
the whole Django stack (middleware, session, case lookup in scope, coach, template) with
django.test.Client, on PostgreSQL. Target: p95 <= 50 ms server-side.

    python bench/coach.py [--requests 2000] [--cases 20000]

Uses (and re-creates) the database `amends_bench_coach` on 127.0.0.1:5432 unless
BENCH_DATABASE_URL says otherwise. Drafts: the calibration letters in four languages, drafts
full of forbidden phrases, and long drafts (5,000 and 20,000 characters) — a typing agent
sends every version of the draft, so a long one is sent many times.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/amends_bench_coach")


def _fresh_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drafts() -> list[tuple[str, str]]:
    letters = json.loads((ROOT / "amends/insight/coach_calibration/letters.json").read_text("utf-8"))
    drafts = [(lang, letter[lang]) for letter in letters["letters"] for lang in ("en", "he", "ar", "ru")]
    drafts += [
        ("en", "That is company policy. Not my department. My supervisor is away. Nothing to be done."),
        ("he", "זה הנוהל, זה לא המחלקה שלי, המנהלת שלי בחופשה ואין מה לעשות."),
        ("ar", "هذه سياسة الشركة، ليس من اختصاصي، مديري في إجازة ولا يمكننا فعل شيء."),
        ("ru", "Такова политика компании, это не мой отдел, руководитель в отпуске, ничего не поделаешь."),
    ]
    long_en = " ".join(text for lang, text in drafts if lang == "en")
    drafts += [("en", (long_en * 10)[:5000]), ("en", (long_en * 40)[:20000])]
    return drafts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--cases", type=int, default=20_000)
    opts = parser.parse_args()

    _fresh_database(DB_URL)
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amends.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from amends.accounts.services import team_create, user_create
    from amends.cases.choices import Channel
    from amends.cases.services.intake import cases_open, intake_check
    from amends.insight.coach import CoachContext, reply_coach
    from amends.sla.services.escalations import case_manager_request
    from bench.pages import summary_ms

    call_command("migrate", verbosity=0)
    team = team_create(name="Bench", slug="bench")
    agent = user_create(username="coach", email="coach@bench.test", full_name="Dana Levi", teams=[team])
    started = time.perf_counter()
    for start in range(0, opts.cases, 500):
        intakes = [
            intake_check(
                channel=Channel.WEB,
                body=f"Complaint number {n}: the parcel came late and the box was crushed.",
                full_name=f"Customer {n}",
                email=f"c{n}@bench.test",
                acknowledge=False,
            )
            for n in range(start, min(start + 500, opts.cases))
        ]
        cases = cases_open(intakes)
    print(f"{opts.cases} cases in {time.perf_counter() - started:.0f} s", flush=True)
    case = cases[-1]
    case_manager_request(case=case, actor=agent, reason="The customer asked for a manager on the phone.")

    drafts = _drafts()
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(agent)
    url = reverse("desk:coach", args=[case.public_id])
    for _lang, text in drafts[:10]:  # warm-up: templates, translations, compiled patterns
        client.post(url, {"body": text})
    times, pure = [], []
    for i in range(opts.requests):
        _lang, text = drafts[i % len(drafts)]
        t0 = time.perf_counter()
        response = client.post(url, {"body": text})
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
        t0 = time.perf_counter()
        reply_coach(text, CoachContext(language="en", customer_name="Customer", customer_upset=True))
        pure.append(time.perf_counter() - t0)
    by_size = {"short (< 1,000 chars)": [], "5,000 chars": [], "20,000 chars": []}
    for i, elapsed in enumerate(times):
        size = len(drafts[i % len(drafts)][1])
        key = "20,000 chars" if size >= 20000 else "5,000 chars" if size >= 5000 else "short (< 1,000 chars)"
        by_size[key].append(elapsed)
    print(json.dumps({"round_trip_ms": summary_ms(times), "coach_only_ms": summary_ms(pure)}, indent=2))
    for key, values in by_size.items():
        print(f"  {key:>22}: {summary_ms(values)}")


if __name__ == "__main__":
    main()
