"""Dashboard speed (issue 7, point 6): the managers' dashboard over 1,000,000 cases, and the
export of a million-row case list.

    python bench/reports.py [--cases 1000000] [--requests 40] [--export-rows N] [--no-export]
                            [--keep | --reuse [--rebuild]] [--live-tree] [--label TEXT]

Targets: the full dashboard renders in ≤ 300 ms p95 on PostgreSQL (from the rollups); an
export of 1,000,000 rows stays within 200 MB RSS and shows progress.

Like bench/portal.py it measures the committed HEAD, exported to a temporary folder
(--live-tree: the working tree), in a child process, on its own database amends_bench_reports
(dropped and created on the server of $BENCH_PG_URL, else of $DATABASE_URL, else
postgres://postgres@127.0.0.1:5432/postgres). It loads, with INSERT … SELECT FROM
generate_series (minutes, not hours, for a million cases):

  - 3 teams of 8 agents and a lead, through the account services;
  - one customer per 1.4 cases;
  - --cases cases over the last two years, in the shapes the services write: channel, language,
    cause category (skewed, as complaints are), product (12, a third of cases without),
    7 % vulnerable, owned by an agent of the case's team; 90 % answered (first response in
    business seconds), 75 % resolved (resolution time, 15 % with an SLA target missed,
    decision, redress on one in five in ILS, EUR or USD), 60 % closed with a root cause;
  - the audit events the rollups read (cases.resolved for every resolution, cases.reopened
    for 5 % of the cases), a settled promise on 20 % (kept or broken), an answered
    satisfaction check on 30 % of the resolved;
  - then VACUUM ANALYZE, `manage.py reports_rebuild` (timed: the rollups from the raw tables),
    and VACUUM ANALYZE again.

It then times, in this process, the dashboard through django.test.Client signed in as the
lead (middleware, session, view, ORM, templates: no web server), --requests GETs for each of a
dozen filter sets after a warm-up (p50/p95/p99, queries per request), and writes the cases
received in the last two years as CSV and as XLSX through the background export (the task's
function, run in a fresh child process whose peak RSS, VmHWM, is read from /proc), recording
how the progress counter advanced.

It prints a table, writes JSON to bench/results/ and drops the database (--keep keeps it;
--reuse measures a kept one). Run it on a quiet machine. docs/performance.md, "Dashboard
(issue 7)", has the method and the results.
"""

# ruff: noqa: E501  (the load is SQL, one clause a line)
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
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

ADMIN_URL = pg_url_for(
    os.environ.get("BENCH_PG_URL")
    or os.environ.get("DATABASE_URL")
    or "postgres://postgres@127.0.0.1:5432/x",
    "postgres",
)
DB_NAME = "amends_bench_reports"
DB_URL = pg_url_for(ADMIN_URL, DB_NAME)
TARGET_P95_MS = 300
TARGET_EXPORT_MB = 200
WARMUP = 5
LEAD = "bench.lead"
PASSWORD = "bench-reports-pw-1"
PRODUCTS = [
    "Current account",
    "Savings",
    "Credit card",
    "Mortgage",
    "Personal loan",
    "Mobile app",
    "Website",
    "Branch",
    "Insurance",
    "Pension",
    "Business account",
    "Foreign exchange",
]


def sql(statement: str, params: dict | None = None) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def staff_create() -> dict:
    from amends.accounts.models import Role
    from amends.accounts.services import team_create, user_create

    agents = []
    teams = []
    for t in range(1, 4):
        team = team_create(name=f"Bench team {t}", slug=f"bench-team-{t}")
        teams.append(team.pk)
        for a in range(1, 9):
            user = user_create(
                username=f"agent{t}_{a}",
                email=f"agent{t}_{a}@bench.example",
                full_name=f"Agent {t}.{a}",
                teams=[team],
            )
            agents.append((user.pk, team.pk))
    user_create(
        username=LEAD, email="lead@bench.example", full_name="Bench Lead", password=PASSWORD, role=Role.LEAD
    )
    return {"agents": agents, "teams": teams}


def load(*, cases: int, staff: dict) -> dict:
    """Customers, cases, audit events, promises and satisfaction answers, in SQL."""
    from amends.cases.models import Case, Category, RootCause
    from amends.core import clock
    from amends.core.models import AuditEvent
    from amends.customers.models import Customer
    from amends.sla.models import Commitment, FollowUp

    params = {
        "now": clock.now(),
        "cases": cases,
        "customers": max(cases * 10 // 14, 1),
        "owners": [a for a, _t in staff["agents"]],
        "owner_teams": [t for _a, t in staff["agents"]],
        "categories": list(Category.objects.order_by("position", "id").values_list("id", flat=True)),
        "causes": list(RootCause.objects.order_by("position", "id").values_list("id", flat=True)),
        "products": PRODUCTS,
    }
    steps = {
        "customers": """
            INSERT INTO customers_customer (public_id, full_name, language, address, created_at)
            SELECT gen_random_uuid(), 'Bench customer ' || g, (ARRAY['he','ar','ru','en'])[1 + g %% 4], '',
                   %(now)s - interval '750 days' + (g::float / %(customers)s) * interval '749 days'
            FROM generate_series(1, %(customers)s) g""",
        "cases": """
            WITH r AS (
                SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
                       random() AS r6, random() AS r7, random() AS r8, random() AS r9,
                       (SELECT min(id) FROM customers_customer) AS c0,
                       1 + (g * 7) %% cardinality(%(owners)s::bigint[]) AS who,
                       %(now)s - interval '730 days' + (g::float / %(cases)s) * interval '729 days' AS born
                FROM generate_series(1, %(cases)s) g
            ), v AS (
                SELECT r.*,
                    -- business seconds: a first response within minutes to two days, resolution in hours to weeks
                    (60 * exp(r3 * ln(2880)))::int AS fr,
                    (1800 * exp(r4 * ln(800)))::int AS res
                FROM r
            )
            INSERT INTO cases_case (
                public_id, reference, customer_id, channel, language, subject, summary, priority, status,
                owner_id, team_id, category_id, root_cause_id, product, order_number, desired_outcome,
                desired_outcome_detail, vulnerable, decision, resolution_type, redress_amount,
                redress_currency, created_at, updated_at, first_responded_at, first_response_seconds,
                resolved_at, resolution_seconds, sla_breached, closed_at)
            SELECT gen_random_uuid(), 'BR-' || lpad(g::text, 8, '0'), c0 + (g * 7919::bigint) %% %(customers)s,
                (ARRAY['web','web','web','email','email','phone','letter','walk_in','api'])[1 + (r1 * 9)::int %% 9],
                (ARRAY['he','he','he','ar','ar','ru','en','en'])[1 + (r2 * 8)::int %% 8],
                'Bench complaint ' || g, '',
                (ARRAY['low','normal','normal','normal','high','urgent'])[1 + (r5 * 6)::int %% 6],
                CASE WHEN r6 < 0.10 THEN 'open' WHEN r6 < 0.25 THEN 'resolved' WHEN r6 < 0.40 THEN 'waiting'
                     ELSE 'closed' END,
                (%(owners)s::bigint[])[who], (%(owner_teams)s::bigint[])[who],
                CASE WHEN r7 < 0.05 THEN NULL
                     ELSE (%(categories)s::bigint[])[1 + floor(power(r7, 2.2) * cardinality(%(categories)s::bigint[]))::int] END,
                CASE WHEN r6 >= 0.40 THEN
                    (%(causes)s::bigint[])[1 + floor(power(r8, 1.8) * cardinality(%(causes)s::bigint[]))::int] END,
                CASE WHEN r9 < 0.33 THEN '' ELSE (%(products)s::text[])[1 + floor(power(r9, 1.5) * 12)::int %% 12] END,
                '', '', '', r9 * 100 < 7,
                CASE WHEN r6 < 0.10 OR (r6 >= 0.25 AND r6 < 0.40) THEN ''
                     ELSE (ARRAY['upheld','partly_upheld','not_upheld','not_upheld'])[1 + (r1 * 4)::int %% 4] END,
                CASE WHEN r6 < 0.10 OR (r6 >= 0.25 AND r6 < 0.40) THEN '' ELSE 'refund' END,
                CASE WHEN (r6 >= 0.10 AND r6 < 0.25 OR r6 >= 0.40) AND r2 < 0.2 THEN round((r3 * 500)::numeric, 2) END,
                CASE WHEN (r6 >= 0.10 AND r6 < 0.25 OR r6 >= 0.40) AND r2 < 0.2
                     THEN (ARRAY['ILS','ILS','EUR','USD'])[1 + (r4 * 4)::int %% 4] ELSE '' END,
                born, born,
                CASE WHEN r5 < 0.9 OR r6 >= 0.10 THEN born + fr * interval '1 second' END,
                CASE WHEN r5 < 0.9 OR r6 >= 0.10 THEN fr END,
                CASE WHEN r6 >= 0.10 AND r6 < 0.25 OR r6 >= 0.40 THEN born + res * interval '2 seconds' END,
                CASE WHEN r6 >= 0.10 AND r6 < 0.25 OR r6 >= 0.40 THEN res END,
                r8 < 0.15,
                CASE WHEN r6 >= 0.40 THEN born + res * interval '2 seconds' + interval '3 days' END
            FROM v""",
        "audit events": """
            INSERT INTO core_auditevent (name, target_type, target_id, actor_label, changes, data, created_at)
            SELECT 'cases.resolved', 'case', id, 'bench', '{}'::jsonb, '{}'::jsonb, resolved_at
            FROM cases_case WHERE resolved_at IS NOT NULL
            UNION ALL
            SELECT 'cases.reopened', 'case', id, 'bench', '{}'::jsonb, '{}'::jsonb, resolved_at - interval '1 day'
            FROM cases_case WHERE resolved_at IS NOT NULL AND id %% 20 = 0""",
        "promises": """
            INSERT INTO sla_commitment (public_id, case_id, owner_id, team_id, description, due_at, status,
                                        times_moved, created_at, settled_at)
            SELECT gen_random_uuid(), id, owner_id, team_id, '', first_responded_at + interval '1 day',
                   CASE WHEN id %% 9 = 0 THEN 'broken' ELSE 'kept' END, 0, first_responded_at,
                   first_responded_at + interval '20 hours'
            FROM cases_case WHERE first_responded_at IS NOT NULL AND id %% 5 = 0""",
        "satisfaction answers": """
            INSERT INTO sla_followup (case_id, status, send_at, sent_at, answered_at, solved, rating, comment)
            SELECT id, 'answered', resolved_at + interval '2 days', resolved_at + interval '2 days',
                   resolved_at + interval '3 days', id %% 7 <> 0, 1 + (id * 13) %% 5, ''
            FROM cases_case WHERE resolved_at IS NOT NULL AND id %% 10 < 3""",
    }
    seconds = {}
    with model_defaults_in_db([Customer, Case, AuditEvent, Commitment, FollowUp]):
        for table, statement in steps.items():
            began = time.perf_counter()
            sql(statement, params)
            seconds[table] = round(time.perf_counter() - began, 1)
            log(f"  {table}: {seconds[table]} s")
    return seconds


def filter_sets(rng: random.Random) -> dict[str, dict]:
    """The dashboard views timed: the default, longer periods, one filter, several filters."""
    from amends.accounts.models import Team, User
    from amends.cases.models import Category
    from amends.core import clock

    team = Team.objects.order_by("pk").first().pk
    agent = User.objects.filter(username="agent2_3").get().pk
    category = Category.objects.order_by("position", "id").first().pk
    month = clock.now().replace(day=1)
    previous = f"{month.year - (month.month == 1)}-{(month.month - 2) % 12 + 1:02d}"
    return {
        "default (12 weeks)": {},
        "4 weeks": {"period": "4w"},
        "52 weeks": {"period": "52w"},
        "a month": {"month": previous},
        "team": {"team": team},
        "agent": {"agent": agent},
        "channel": {"channel": "web"},
        "category": {"category": category},
        "vulnerable only": {"vulnerable": "yes"},
        "product": {"product": "Credit card"},
        "team + category": {"team": team, "category": category},
        "channel + language, 52 weeks": {"channel": "email", "language": "he", "period": "52w"},
        "agent + product, 52 weeks": {"agent": agent, "product": "Mortgage", "period": "52w"},
    }


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def time_dashboard(*, requests: int, seed: int) -> dict:
    from django.db import connection
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")  # an allowed host, as the other benches do
    assert client.login(username=LEAD, password=PASSWORD)
    url = "/en/desk/reports/"
    out = {}
    for name, params in filter_sets(random.Random(seed)).items():
        for _ in range(WARMUP):
            assert client.get(url, params).status_code == 200
        times, cpu, queries = [], [], []
        for _ in range(requests):
            counter = QueryCounter()
            began, began_cpu = time.perf_counter(), time.process_time()
            with connection.execute_wrapper(counter):
                response = client.get(url, params)
            times.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
            queries.append(counter.count)
            assert response.status_code == 200
        out[name] = {
            "params": params,
            **summary_ms(times),
            "cpu_ms_mean": round(sum(cpu) / len(cpu) * 1000, 2),
            "queries": max(queries),
        }
        log(f"  {name}: p50 {out[name]['p50']} ms, p95 {out[name]['p95']} ms, {out[name]['queries']} queries")
    return out


def export_child(export_id: int) -> None:
    """Run one background export in this (fresh) process and report its peak RSS."""
    import djangosetup  # noqa: F401

    from amends.reports.services.exports import export_run

    began = time.perf_counter()
    export_run(export_id=export_id)
    status = Path("/proc/self/status").read_text()
    hwm = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": round(time.perf_counter() - began, 1), "peak_rss_mb": round(hwm / 1024, 1)}))


def time_exports(*, rows: int | None) -> dict:
    """CSV and XLSX of the cases received over two years, each in a child process, polling the
    progress row as the page would."""
    from django.utils import timezone

    from amends.accounts.models import User
    from amends.reports.models import ReportExport
    from amends.reports.services.exports import export_path

    lead = User.objects.get(username=LEAD)
    today = timezone.localdate()
    query = {"figure": "opened", "from": f"{today.year - 2}-{today:%m-%d}", "to": today.isoformat()}
    if rows:
        query["to"] = today.isoformat()
    out = {}
    for fmt in ("csv", "xlsx"):
        export = ReportExport.objects.create(
            requested_by=lead, format=fmt, query=query, language="en", created_at=timezone.now()
        )
        child = subprocess.Popen(
            [sys.executable, __file__, "--export-child", str(export.pk)],
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ,
        )
        progress = []
        while child.poll() is None:
            time.sleep(1)
            export.refresh_from_db()
            progress.append((export.rows_done, export.rows_total))
        result = json.loads(child.stdout.read().strip().splitlines()[-1])
        export.refresh_from_db()
        path = export_path(export)
        out[fmt] = {
            **result,
            "status": export.status,
            "rows": export.rows_done,
            "file_mb": round(path.stat().st_size / 1e6, 1) if path.exists() else None,
            "progress_samples": progress[:: max(1, len(progress) // 20)],
        }
        log(
            f"  {fmt}: {out[fmt]['rows']:,} rows in {result['seconds']} s, peak RSS {result['peak_rss_mb']} MB"
        )
        if path.exists():
            path.unlink()
    return out


def rollup_rows() -> dict:
    from amends.reports.models import CaseFacts, DailyCounts, DailyRedress, DailyTimes

    return {m.__name__: m.objects.count() for m in (DailyCounts, DailyTimes, DailyRedress, CaseFacts)}


def print_table(report: dict) -> None:
    print(f"\nDashboard over {report['cases']:,} cases (target p95 ≤ {TARGET_P95_MS} ms)")
    print(f"{'view':<34} {'p50':>8} {'p95':>8} {'p99':>8} {'queries':>8}")
    for name, row in report["dashboard"].items():
        print(f"{name:<34} {row['p50']:>8} {row['p95']:>8} {row['p99']:>8} {row['queries']:>8}")
    for fmt, row in report.get("exports", {}).items():
        print(
            f"export {fmt}: {row['rows']:,} rows, {row['seconds']} s, peak RSS {row['peak_rss_mb']} MB "
            f"(target ≤ {TARGET_EXPORT_MB} MB), {row['file_mb']} MB file"
        )


def child_main(opts: argparse.Namespace) -> None:
    import djangosetup  # noqa: F401
    from django.core.management import call_command
    from django.db import connection

    started = datetime.now(UTC)
    report: dict = {
        "started": started.isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/reports.py", *sys.argv[1:]]),
        "git_commit": os.environ["BENCH_COMMIT"],
        "machine": machine_info(),
        "database": DB_NAME,
        "cases": opts.cases,
        "target_p95_ms": TARGET_P95_MS,
    }
    call_command("migrate", verbosity=0, interactive=False)  # a kept database may lag the code
    if not opts.reuse:
        began = time.perf_counter()
        staff = staff_create()
        log(f"loading {opts.cases:,} cases")
        report["load_seconds"] = load(cases=opts.cases, staff=staff)
        sql("VACUUM ANALYZE")
    if not opts.reuse or opts.rebuild:
        began = began if not opts.reuse else time.perf_counter()
        log("reports_rebuild")
        rebuild = time.perf_counter()
        call_command("reports_rebuild", chunk=5000)
        report["rebuild_seconds"] = round(time.perf_counter() - rebuild, 1)
        sql("VACUUM ANALYZE")
        report["total_load_seconds"] = round(time.perf_counter() - began, 1)
    report["rollup_rows"] = rollup_rows()
    log(f"rollup rows: {report['rollup_rows']}")
    report["postgres"] = pg_settings(DB_URL)
    report["loadavg_before"] = os.getloadavg()
    report["dashboard"] = time_dashboard(requests=opts.requests, seed=opts.seed)
    if not opts.no_export:
        report["exports"] = time_exports(rows=opts.export_rows)
    report["loadavg_after"] = os.getloadavg()
    connection.close()
    report["seconds"] = round((datetime.now(UTC) - started).total_seconds())
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    label = f"-{opts.label}" if opts.label else ""
    name = f"{started:%Y%m%dT%H%M%SZ}-reports-{opts.cases}{label}.json"
    (RESULTS_DIR / name).write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print_table(report)
    print(f"results: {RESULTS_DIR / name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40, help="timed requests per filter set")
    parser.add_argument("--export-rows", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--no-export", action="store_true", help="skip the export measurement")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database, no reload")
    parser.add_argument("--rebuild", action="store_true", help="with --reuse: time reports_rebuild again")
    parser.add_argument("--live-tree", action="store_true", help="measure the working tree, not HEAD")
    parser.add_argument("--label", default="")
    parser.add_argument("--export-child", type=int, default=None, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.export_child is not None:
        export_child(opts.export_child)
        return
    if opts.cases < 1 or opts.requests < 1:
        parser.error("--cases and --requests must be at least 1")
    if os.environ.get("BENCH_APP_ROOT"):
        child_main(opts)
        return

    var_dir = Path(tempfile.gettempdir()) / "amends-bench-reports"
    rerun_in_snapshot(
        __file__,
        opts,
        db_name=DB_NAME,
        db_url=DB_URL,
        admin_url=ADMIN_URL,
        var_dir=var_dir,
        env={"AMENDS_MEDIA_ROOT": str(var_dir / "media")},
    )


if __name__ == "__main__":
    main()
