"""Portal speed (issue 5, point 8): the case page of a customer with 200 cases of 20 messages.

    python bench/portal.py [--cases 200] [--messages 20] [--background 20000] [--requests 400]
                           [--downloads 5] [--keep | --reuse] [--live-tree] [--label TEXT]

Target: the portal's case page answers with p95 ≤ 80 ms on PostgreSQL. Like bench/sweep.py it
measures the committed HEAD, exported to a temporary folder (--live-tree: the working tree), in
a child process. It drops and creates its own database, amends_bench_portal, on the server of
$BENCH_PG_URL, else of $DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres (only
the server is taken from them: the bench never writes to the database they name), migrates it
and loads:

  - staff (4 teams of 10 agents) through the account services;
  - the background: --background cases of other customers with 6 messages each, by
    INSERT … SELECT FROM generate_series (so the customer's rows sit among many, as in
    production; bench/generate.py builds ORM objects and is slower);
  - one Hebrew-speaking customer with --cases cases of --messages messages each, written with
    bulk_create in the shapes the services write: the customer's words first, then replies and
    answers in turn with an internal note every fifth message (never shown, but read past by
    the query), a file on every fourth message of the customer (real files, in a temporary
    MEDIA_ROOT), a promise on every third case (kept, not kept or open), resolved and closed
    cases ending in the resolution summary with a satisfaction check (asked or answered);
  - then VACUUM ANALYZE, as autovacuum would.

It then times, in this process, through django.test.Client with the customer's portal session
(the whole Django stack: middleware, session, view, ORM, templates; no web server):

  - the case page (/he/portal/cases/<id>/), --requests GETs over the customer's cases in a
    shuffled order after a warm-up: p50, p95, p99, max, CPU per request, queries per request;
  - the case list (/he/portal/cases/: all 200 cases on one page), --requests / 4 GETs;
  - --downloads PDF and ZIP downloads (informational: no target).

It prints a table, writes JSON to bench/results/ and drops the database (--keep keeps it;
--reuse measures a kept one without reloading). Run it on a quiet machine: the numbers are
wall-clock times. docs/performance.md, "Portal (issue 5)", has the method and the results.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import summary_ms
from bench.run import (
    RESULTS_DIR,
    log,
    machine_info,
    pg_settings,
    pg_url_for,
    rerun_in_snapshot,
)
from bench.sweep import model_defaults_in_db

# Django starts only in the child process (child_main), pointed at the bench database and at a
# snapshot of the committed code; the functions that use it import the models locally.
ADMIN_URL = pg_url_for(
    os.environ.get("BENCH_PG_URL")
    or os.environ.get("DATABASE_URL")
    or "postgres://postgres@127.0.0.1:5432/x",
    "postgres",
)
DB_NAME = "amends_bench_portal"
DB_URL = pg_url_for(ADMIN_URL, DB_NAME)
TARGET_P95_MS = 80
WARMUP = 20
PROFILE_REQUESTS = 10  # requests per page whose queries are counted
LANGUAGE = "he"
CUSTOMER_EMAIL = "noa.bench@example.com"
NOTE_EVERY = 5  # every fifth message is an internal note
FILE_EVERY = 4  # every fourth message of the customer carries a file
PROMISE_EVERY = 3  # every third case has a promise
BACKGROUND_MESSAGES = 6


# --- data ---------------------------------------------------------------------------------------


def _kinds(n: int) -> list[str]:
    """The customer's words, then replies and answers in turn, a note every NOTE_EVERY."""
    kinds = ["inbound"]
    while len(kinds) < n:
        if len(kinds) % NOTE_EVERY == NOTE_EVERY - 1:
            kinds.append("note")
        else:
            kinds.append("outbound" if kinds[-1] != "outbound" else "inbound")
    return kinds


def staff_create() -> None:
    """Four teams of ten agents, through the account services."""
    from amends.accounts.services import team_create, user_create

    for t in range(1, 5):
        team = team_create(name=f"Bench team {t}", slug=f"bench-team-{t}")
        for a in range(1, 11):
            user_create(
                username=f"agent{t}_{a}",
                email=f"agent{t}_{a}@bench.example",
                full_name=f"Agent {t}.{a}",
                languages=["he", "en"],
                teams=[team],
            )


def load_background(*, cases: int) -> dict:
    """Other customers (one per 1.4 cases) and their cases of BACKGROUND_MESSAGES messages."""
    from amends.accounts.models import Role, User
    from amends.cases.models import Case, Message
    from amends.core import clock
    from amends.customers.models import Customer

    params = {
        "now": clock.now(),
        "cases": cases,
        "customers": max(cases * 10 // 14, 1),
        "messages": BACKGROUND_MESSAGES,
        "agents": list(User.objects.filter(role=Role.AGENT).order_by("id").values_list("id", flat=True)),
    }
    steps = {
        "customers": """
            INSERT INTO customers_customer (public_id, full_name, language, address, created_at)
            SELECT gen_random_uuid(), 'Background customer ' || g, (ARRAY['he','ar','ru','en'])[1 + g %% 4],
                   '', %(now)s - (g %% 700) * interval '1 day'
            FROM generate_series(1, %(customers)s) g""",
        "cases": """
            WITH r AS (
                SELECT g, random() AS rs, random() AS ra, (SELECT min(id) FROM customers_customer) AS c0
                FROM generate_series(1, %(cases)s) g
            )
            INSERT INTO cases_case (
                public_id, reference, customer_id, channel, language, subject, summary, priority,
                status, owner_id, order_number, desired_outcome, desired_outcome_detail,
                vulnerable, decision, resolution_type, redress_currency, created_at, updated_at,
                sla_breached)
            SELECT gen_random_uuid(), 'BG-' || lpad(g::text, 8, '0'),
                   c0 + (g * 7919::bigint) %% %(customers)s, 'web', (ARRAY['he','ar','ru','en'])[1 + g %% 4],
                   'Background complaint ' || g, '', 'normal',
                   CASE WHEN rs < 0.3 THEN 'open' WHEN rs < 0.45 THEN 'resolved' ELSE 'closed' END,
                   (%(agents)s::bigint[])[1 + g %% cardinality(%(agents)s::bigint[])],
                   '', '', '', false, '', '', '',
                   %(now)s - interval '1 day' - ra * interval '700 days',
                   %(now)s - interval '1 day' - ra * interval '700 days', false
            FROM r""",
        "messages": """
            INSERT INTO cases_message (
                public_id, case_id, kind, purpose, channel, author_id, author_name, body, created_at,
                email_message_id)
            SELECT gen_random_uuid(), c.id,
                   CASE WHEN g %% 2 = 1 THEN 'inbound' WHEN g %% 5 = 0 THEN 'note'
                        ELSE 'outbound' END,
                   '', 'web', CASE WHEN g %% 2 = 0 THEN c.owner_id END, '',
                   'Background message ' || g || ' of case ' || c.id,
                   c.created_at + g * interval '3 hours', ''
            FROM cases_case c CROSS JOIN generate_series(1, %(messages)s) g""",
    }
    seconds = {}
    with model_defaults_in_db([Customer, Case, Message]):
        for table, statement in steps.items():
            began = time.perf_counter()
            sql(statement, params)
            seconds[table] = round(time.perf_counter() - began, 1)
            log(f"  {table}: {seconds[table]} s")
    return seconds


def sql(statement: str, params: dict | None = None) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def load_customer(*, cases: int, messages: int, seed: int) -> dict:
    """The measured customer: `cases` cases of `messages` messages, with files, promises and
    satisfaction checks, written in bulk. Returns the customer's id and the cases' public ids."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import transaction

    from amends.accounts.models import Role, User
    from amends.cases.choices import Channel, Decision, MessagePurpose, ResolutionType, Status
    from amends.cases.models import Attachment, Case, Message, attachment_path
    from amends.cases.services.references import ALPHABET, PREFIX
    from amends.core import clock
    from amends.customers.models import Customer, CustomerIdentity, IdentityKind
    from amends.sla.models import Commitment, CommitmentStatus, FollowUp, FollowUpStatus
    from bench import texts

    rng = random.Random(seed)
    now = clock.now()
    agents = list(User.objects.filter(role=Role.AGENT, is_active=True).order_by("id"))
    taken = set(Case.objects.values_list("reference", flat=True))
    statuses = rng.choices(
        [Status.OPEN, Status.WAITING, Status.RESOLVED, Status.CLOSED], weights=[25, 10, 20, 45], k=cases
    )
    with transaction.atomic():
        customer = Customer.objects.create(full_name="נועה בנץ'", language=LANGUAGE, created_at=now)
        CustomerIdentity.objects.create(
            customer=customer, kind=IdentityKind.EMAIL, value=CUSTOMER_EMAIL, created_at=now
        )
        case_rows, first_words = [], []
        for i in range(cases):
            reference = PREFIX + "".join(rng.choice(ALPHABET) for _ in range(6))
            while reference in taken:
                reference = PREFIX + "".join(rng.choice(ALPHABET) for _ in range(6))
            taken.add(reference)
            created = now - timedelta(days=2 * (cases - i) + 3, hours=rng.randint(0, 20))
            status = statuses[i]
            finished = status in (Status.RESOLVED, Status.CLOSED)
            subject, words = rng.choice(texts.COMPLAINTS[LANGUAGE])
            first_words.append(words)
            case_rows.append(
                Case(
                    public_id=uuid.uuid4(),
                    reference=reference,
                    customer=customer,
                    channel=Channel.WEB,
                    language=LANGUAGE,
                    subject=subject,
                    status=status,
                    owner=rng.choice(agents),
                    created_at=created,
                    updated_at=created + timedelta(hours=messages * 3),
                    first_response_due=created + timedelta(hours=24),
                    first_responded_at=created + timedelta(hours=3),
                    decision=rng.choice(Decision.values) if finished else "",
                    resolution_type=rng.choice(ResolutionType.values) if finished else "",
                    resolved_at=created + timedelta(hours=messages * 3) if finished else None,
                    closed_at=created + timedelta(hours=messages * 3, days=7)
                    if status == Status.CLOSED
                    else None,
                )
            )
        created_cases = Case.objects.bulk_create(case_rows)

        message_rows, plans = [], []
        for case, words in zip(created_cases, first_words, strict=True):
            kinds = _kinds(messages)
            finished = case.status in (Status.RESOLVED, Status.CLOSED)
            if finished:
                kinds[-1] = "outbound"
            for j, kind in enumerate(kinds):
                at = case.created_at + timedelta(hours=3 * j, minutes=rng.randint(0, 90))
                if kind == "inbound":
                    body = words if j == 0 else rng.choice(texts.FOLLOW_UPS[LANGUAGE])
                    author, name = None, customer.full_name
                elif kind == "outbound":
                    last = finished and j == len(kinds) - 1
                    body = texts.RESOLUTIONS[LANGUAGE] if last else rng.choice(texts.REPLIES[LANGUAGE])
                    author, name = case.owner, case.owner.full_name
                else:
                    body, author, name = rng.choice(texts.NOTES), case.owner, case.owner.full_name
                purpose = MessagePurpose.RESOLUTION if finished and j == len(kinds) - 1 else ""
                message_rows.append(
                    Message(
                        case=case,
                        kind=kind,
                        purpose=purpose,
                        channel=Channel.WEB,
                        author=author,
                        author_name=name,
                        body=body,
                        created_at=at,
                    )
                )
                plans.append(kind == "inbound" and j % FILE_EVERY == 0)
        created_messages = Message.objects.bulk_create(message_rows, batch_size=2000)

        files = []
        for message, with_file in zip(created_messages, plans, strict=True):
            if not with_file:
                continue
            data = b"%PDF-1.4 bench receipt " + os.urandom(rng.randint(2_000, 60_000))
            attachment = Attachment(
                message=message,
                filename=f"קבלה-{message.pk}.pdf",
                content_type="application/pdf",
                size=len(data),
                sha256="0" * 64,
            )
            attachment.file.name = default_storage.save(attachment_path(attachment, ""), ContentFile(data))
            files.append(attachment)
        Attachment.objects.bulk_create(files, batch_size=2000)

        promises, checks = [], []
        for i, case in enumerate(created_cases):
            if i % PROMISE_EVERY == 0:
                made = case.created_at + timedelta(hours=3)
                state = rng.choice(
                    [
                        CommitmentStatus.KEPT,
                        CommitmentStatus.KEPT,
                        CommitmentStatus.BROKEN,
                        CommitmentStatus.OPEN,
                    ]
                )
                promises.append(
                    Commitment(
                        case=case,
                        owner=case.owner,
                        due_at=made + timedelta(days=1),
                        status=CommitmentStatus.KEPT if case.status == Status.CLOSED else state,
                        created_at=made,
                    )
                )
            if case.resolved_at:
                sent = case.resolved_at + timedelta(days=2)
                answered = case.status == Status.CLOSED or rng.random() < 0.5
                checks.append(
                    FollowUp(
                        case=case,
                        status=FollowUpStatus.ANSWERED if answered else FollowUpStatus.SENT,
                        send_at=sent,
                        sent_at=sent,
                        expires_at=max(sent, now) + timedelta(days=7),
                        answered_at=sent + timedelta(hours=5) if answered else None,
                        solved=True if answered else None,
                        rating=rng.randint(3, 5) if answered else None,
                    )
                )
        Commitment.objects.bulk_create(promises)
        FollowUp.objects.bulk_create(checks)
    return {
        "customer_id": customer.pk,
        "cases": [str(c.public_id) for c in created_cases],
        "counts": {
            "cases": len(created_cases),
            "messages": len(created_messages),
            "notes": sum(1 for m in created_messages if m.kind == "note"),
            "attachments": len(files),
            "promises": len(promises),
            "satisfaction_checks": len(checks),
        },
    }


# --- measurement --------------------------------------------------------------------------------


class _Queries:
    """Counts the queries of a request and their time (perf_counter, not Django's rounded ms)."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


def _client(customer_id: int):
    """A test client holding the customer's portal session, as signing in leaves it."""
    from django.test import Client

    from amends.core import clock
    from amends.portal.session import SESSION_KEY

    client = Client(SERVER_NAME="127.0.0.1")
    session = client.session
    session[SESSION_KEY] = {
        "customer": customer_id,
        "since": int(clock.now().timestamp() * 1000),
        "cases": None,
    }
    session.save()
    return client


def _get(client, path: str) -> tuple[float, float, int]:
    cpu = time.process_time()
    started = time.perf_counter()
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    return elapsed, time.process_time() - cpu, len(body)


def time_page(client, paths: list[str], *, requests: int) -> dict:
    from django.db import connection

    for path in paths[:WARMUP]:
        _get(client, path)
    times, cpu, sizes = [], [], []
    for n in range(requests):
        elapsed, used, size = _get(client, paths[n % len(paths)])
        times.append(elapsed)
        cpu.append(used)
        sizes.append(size)
    counts, sql = [], []
    for path in paths[-PROFILE_REQUESTS:]:
        counter = _Queries()
        with connection.execute_wrapper(counter):
            _get(client, path)
        counts.append(counter.count)
        sql.append(counter.seconds)
    return {
        "latency_ms": summary_ms(times),
        "cpu_ms": summary_ms(cpu),
        "queries": {"min": min(counts), "max": max(counts)},
        "sql_ms": summary_ms(sql),
        "html_kb_mean": round(sum(sizes) / len(sizes) / 1024, 1),
    }


def measure(*, loaded: dict, requests: int, downloads: int, seed: int) -> dict:
    rng = random.Random(seed + 1)
    client = _client(loaded["customer_id"])
    cases = list(loaded["cases"])
    rng.shuffle(cases)
    out: dict = {}
    log(f"case page: {requests} requests over {len(cases)} cases")
    out["case_page"] = time_page(
        client, [f"/{LANGUAGE}/portal/cases/{public_id}/" for public_id in cases], requests=requests
    )
    log("case list")
    out["case_list"] = time_page(client, [f"/{LANGUAGE}/portal/cases/"], requests=max(requests // 4, 1))
    for kind in ("pdf", "zip"):
        log(f"{kind} downloads: {downloads}")
        times, sizes = [], []
        for public_id in cases[:downloads]:
            elapsed, _cpu, size = _get(client, f"/{LANGUAGE}/portal/cases/{public_id}/download.{kind}")
            times.append(elapsed)
            sizes.append(size)
        out[f"download_{kind}"] = {
            "latency_ms": summary_ms(times),
            "kb_mean": round(sum(sizes) / max(len(sizes), 1) / 1024, 1),
        }
    return out


def data_shape(customer_id: int) -> dict:
    from amends.cases.models import Case, Message

    return {
        "all_cases": Case.objects.count(),
        "all_messages": Message.objects.count(),
        "customer_cases": Case.objects.filter(customer_id=customer_id).count(),
    }


def print_table(report: dict) -> None:
    measured = report["measured"]
    print(f"\nPortal bench, {report['database']} at {report['git_commit']}, {report['data']}")
    print(f"{'page':<14} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'CPU p50':>8} {'queries':>8}")
    for name in ("case_page", "case_list"):
        lat, cpu = measured[name]["latency_ms"], measured[name]["cpu_ms"]
        queries = measured[name]["queries"]["max"]
        print(
            f"{name:<14} {lat['p50']:>8.1f} {lat['p95']:>8.1f} {lat['p99']:>8.1f} {lat['max']:>8.1f} "
            f"{cpu['p50']:>8.1f} {queries:>8}"
        )
    for kind in ("pdf", "zip"):
        lat = measured[f"download_{kind}"]["latency_ms"]
        if lat.get("n"):
            print(f"download {kind:<5} {lat['p50']:>8.1f} {lat['p95']:>8.1f} {'':>8} {lat['max']:>8.1f}")
    p95 = measured["case_page"]["latency_ms"]["p95"]
    verdict = "meets" if p95 <= TARGET_P95_MS else "MISSES"
    print(f"case page p95 {p95:.1f} ms {verdict} the target of {TARGET_P95_MS} ms (ms, in-process)")


def child_main(opts: argparse.Namespace) -> None:
    """The load and the measurement, in a process whose Django runs the snapshot against the
    bench database."""
    import djangosetup  # noqa: F401  (sys.path and django.setup(); must come before amends imports)
    from django.core.management import call_command
    from django.db import connection

    started = datetime.now(UTC)
    report: dict = {
        "started": started.isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/portal.py", *sys.argv[1:]]),
        "git_commit": os.environ["BENCH_COMMIT"],
        "machine": machine_info(),
        "database": DB_NAME,
        "target_p95_ms": TARGET_P95_MS,
    }
    info_path = Path(os.environ["AMENDS_VAR_DIR"]) / "portal.json"
    if not opts.reuse:
        call_command("migrate", verbosity=0, interactive=False)
        began = time.perf_counter()
        staff_create()
        log(f"background: {opts.background:,} cases of other customers")
        report["background_seconds"] = load_background(cases=opts.background)
        log(f"the customer: {opts.cases} cases × {opts.messages} messages")
        loaded = load_customer(cases=opts.cases, messages=opts.messages, seed=opts.seed)
        sql("VACUUM ANALYZE")  # what autovacuum does soon after a load
        report["load_seconds"] = round(time.perf_counter() - began, 1)
        info_path.write_text(json.dumps(loaded))
    loaded = json.loads(info_path.read_text())
    report["loaded"] = loaded.get("counts", {})
    report["postgres"] = pg_settings(DB_URL)
    report["data"] = data_shape(loaded["customer_id"])
    log(f"data: {report['data']}")
    report["loadavg_before"] = os.getloadavg()
    report["measured"] = measure(
        loaded=loaded, requests=opts.requests, downloads=opts.downloads, seed=opts.seed
    )
    report["loadavg_after"] = os.getloadavg()
    connection.close()
    report["seconds"] = round((datetime.now(UTC) - started).total_seconds())
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    label = f"-{opts.label}" if opts.label else ""
    name = f"{started:%Y%m%dT%H%M%SZ}-portal-{opts.cases}x{opts.messages}{label}.json"
    (RESULTS_DIR / name).write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print_table(report)
    print(f"results: {RESULTS_DIR / name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200, help="the customer's cases (default 200)")
    parser.add_argument("--messages", type=int, default=20, help="messages per case (default 20)")
    parser.add_argument(
        "--background", type=int, default=20_000, help="other customers' cases (default 20,000)"
    )
    parser.add_argument("--requests", type=int, default=400, help="timed case-page requests")
    parser.add_argument("--downloads", type=int, default=5, help="timed PDF and ZIP downloads each")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database and files afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database, no reload")
    parser.add_argument("--live-tree", action="store_true", help="measure the working tree, not HEAD")
    parser.add_argument("--label", default="")
    opts = parser.parse_args()
    if opts.cases < 1 or opts.messages < 1 or opts.background < 1 or opts.requests < 1:
        parser.error("--cases, --messages, --background and --requests must be at least 1")
    if os.environ.get("BENCH_APP_ROOT"):
        child_main(opts)
        return

    # Kept between runs so that --reuse finds the customer's files and ids.
    var_dir = Path(tempfile.gettempdir()) / "amends-bench-portal"
    # Every request comes from one client: the download limit would stop the bench.
    rerun_in_snapshot(
        __file__,
        opts,
        db_name=DB_NAME,
        db_url=DB_URL,
        admin_url=ADMIN_URL,
        var_dir=var_dir,
        env={"AMENDS_FORM_RATE_LIMIT": "1000000000"},
    )


if __name__ == "__main__":
    main()
