"""SLA sweep speed on PostgreSQL: one sweep over 1,000 due clocks among 1,000,000 open cases.

    python bench/sweep.py [--cases 1000000] [--due 1000] [--repeat 15] [--keep | --reuse] [--live-tree]

Issue 3: "1,000,000 open cases with 1,000 due, one sweep ≤ 200 ms on PostgreSQL". Like
bench/run.py it measures the committed HEAD, exported to a temporary folder (--live-tree: the
working tree), in a child process. It drops and creates its own database, amends_bench_sweep on
the server of $BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres), migrates it
(the migrations seed the default calendar, the SLA policies and the escalation rules 80% owner,
100% owner, 100% lead, 150% manager), creates teams and staff with the account services, and
loads the cases and their clocks with INSERT … SELECT FROM generate_series, then VACUUM ANALYZE
(bench/generate.py builds ORM objects and would take an hour for a million cases). Then it makes
exactly --due running clocks due, each consistent in business time with the threshold it has just
crossed (the sweeper recomputes the share used from the calendar), and times:

  - clocks_sweep(now=…, batch=1000): the first call in the process, then --repeat calls, the due
    rows restored, the sweep's output deleted and the tables vacuumed between calls, untimed;
    wall time, CPU time of this process and of its PostgreSQL backend, queries and SQL time;
  - the same call by parts (the functions it calls wrapped with timers), and under cProfile;
  - sla_sweep(now=…): the whole periodic job (clock batches, promises, follow-ups);
  - sla_sweep with nothing due, which is what the worker does most of the time;
  - EXPLAIN (ANALYZE, BUFFERS) of the due-row select (sla/locks.py due_clocks).

It checks that a sweep handles exactly --due clocks and writes the expected escalations, and that
a second sweep at the same moment finds nothing; prints a table, writes JSON to bench/results/
and drops the database (--keep keeps it; --reuse measures a kept one without reloading).
docs/performance.md, "SLA sweep (issue 3)", has the results.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
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

# Django starts only in the child process (child_main), pointed at the bench database and at a
# snapshot of the committed code; the functions that use it import the models locally.
ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "amends_bench_sweep"
DB_URL = pg_url_for(ADMIN_URL, DB_NAME)
TARGET_MS = 200
BATCH = 1000  # AMENDS_SWEEP_BATCH's default
# Tuesday 24 November 2026, 12:00 in Jerusalem: inside the default calendar's hours, no holiday.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TEAMS = 4
AGENTS_PER_TEAM = 10
LANGUAGES = ["he", "ar", "ru", "en"]
# Share of the open cases per status: new cases have no owner and both clocks running; open
# cases have had their first response (that clock met) and a running resolution clock; waiting
# cases' resolution clock is paused (the policies pause while waiting for the customer).
NEW_SHARE, OPEN_SHARE = 0.27, 0.57
# The due clocks: the threshold each has just crossed, the share of them, and what the sweep
# owes: (escalated_percent before, crossed percent, share of the due clocks, escalations written).
BANDS = [(0, 80, 0.50, 1), (80, 100, 0.35, 2), (100, 150, 0.15, 1)]
OVERRUN_PERCENT = 5  # how far past its threshold a due clock is: minutes after a worker pause


def sql(statement: str, params: dict | list | None = None) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


# --- data ---------------------------------------------------------------------------------------


def staff_create() -> dict:
    """Teams with ten agents and a lead each, and two managers (admins), through the services."""
    from amends.accounts.models import Role
    from amends.accounts.services import team_create, user_create

    teams, agents, leads = [], [], []
    for t in range(1, TEAMS + 1):
        team = team_create(name=f"Bench team {t}", slug=f"bench-team-{t}")
        teams.append(team.pk)
        for a in range(1, AGENTS_PER_TEAM + 1):
            user = user_create(
                username=f"agent{t}_{a}",
                email=f"agent{t}_{a}@bench.example",
                full_name=f"Agent {t}.{a}",
                languages=[LANGUAGES[a % 4], "en"],
                teams=[team],
            )
            agents.append(user.pk)
        lead = user_create(
            username=f"lead{t}",
            email=f"lead{t}@bench.example",
            full_name=f"Lead {t}",
            role=Role.LEAD,
            languages=["he", "en"],
            teams=[team],
        )
        leads.append(lead.pk)
    for m in (1, 2):
        user_create(
            username=f"manager{m}",
            email=f"manager{m}@bench.example",
            full_name=f"Manager {m}",
            role=Role.ADMIN,
            languages=["en"],
        )
    return {"teams": teams, "agents": agents, "leads": leads}


@contextmanager
def model_defaults_in_db(models: list) -> Iterator[None]:
    """Django keeps field defaults in Python: for the load, give the NOT NULL columns their model
    default in the database too, so a field added after this script was written is filled in
    rather than failing the INSERT."""
    from django.db import connection

    changed = []
    with connection.schema_editor() as editor:
        for model in models:
            for field in model._meta.concrete_fields:
                if field.null or not field.has_default() or callable(field.default):
                    continue
                table, column = editor.quote_name(model._meta.db_table), editor.quote_name(field.column)
                value = editor.quote_value(field.get_db_prep_save(field.default, connection))
                editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {value}")
                changed.append((table, column))
    try:
        yield
    finally:
        with connection.schema_editor() as editor:
            for table, column in changed:
                editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")


def load(*, cases: int, staff: dict) -> dict:
    """Customers, open cases and their clocks, by INSERT … SELECT; seconds per table."""
    from amends.cases.models import Case
    from amends.customers.models import Customer
    from amends.sla.models import Calendar, CaseClock

    customers = max(cases * 7 // 10, 1)  # 30% of complaints come from a returning customer
    params = {
        "now": NOW,
        "cases": cases,
        "customers": customers,
        "teams": staff["teams"],
        "agents": staff["agents"],
        "per_team": AGENTS_PER_TEAM,
        "new": NEW_SHARE,
        "open": NEW_SHARE + OPEN_SHARE,
        "calendar": Calendar.objects.get(is_default=True).pk,
    }
    steps = {
        "customers": """
            INSERT INTO customers_customer (public_id, full_name, language, address, created_at)
            SELECT gen_random_uuid(), 'Bench customer ' || g, (ARRAY['he','ar','ru','en'])[1 + g %% 4], '',
                   %(now)s - (g %% 700) * interval '1 day'
            FROM generate_series(1, %(customers)s) g""",
        # Status, priority (15/60/20/5 low/normal/high/urgent), language and channel drawn per
        # case; a team each, and an agent of that team unless the case is new (unclaimed).
        "cases": """
            WITH r AS (
                SELECT g, random() AS rs, random() AS rp, random() AS rl, random() AS rc,
                       random() AS ra, (SELECT min(id) FROM customers_customer) AS c0
                FROM generate_series(1, %(cases)s) g
            ), s AS (
                SELECT *, CASE WHEN rs < %(new)s THEN 'new' WHEN rs < %(open)s THEN 'open'
                               ELSE 'waiting' END AS status,
                       1 + g %% cardinality(%(teams)s::bigint[]) AS t,
                       %(now)s - interval '1 hour' - ra * interval '60 days' AS at
                FROM r
            )
            INSERT INTO cases_case (
                public_id, reference, customer_id, channel, language, subject, summary, priority,
                status, owner_id, team_id, order_number, desired_outcome, desired_outcome_detail,
                vulnerable, decision, resolution_type, redress_currency, created_at, updated_at,
                sla_breached)
            SELECT gen_random_uuid(), 'SW-' || lpad(g::text, 8, '0'),
                   c0 + (g * 7919::bigint) %% %(customers)s,
                   CASE WHEN rc < 0.4 THEN 'web' WHEN rc < 0.7 THEN 'email' WHEN rc < 0.85 THEN 'phone'
                        WHEN rc < 0.95 THEN 'api' ELSE 'walk_in' END,
                   CASE WHEN rl < 0.35 THEN 'he' WHEN rl < 0.55 THEN 'ar' WHEN rl < 0.75 THEN 'ru'
                        ELSE 'en' END,
                   'Bench complaint ' || g, '',
                   CASE WHEN rp < 0.15 THEN 'low' WHEN rp < 0.75 THEN 'normal' WHEN rp < 0.95 THEN 'high'
                        ELSE 'urgent' END,
                   status,
                   CASE WHEN status = 'new' THEN NULL
                        ELSE (%(agents)s::bigint[])[(t - 1) * %(per_team)s + 1 + (g / 7) %% %(per_team)s]
                   END,
                   (%(teams)s::bigint[])[t], '', '', '', false, '', '', '', at, at, false
            FROM s""",
        # First response and resolution per case, targets from the policy for its priority.
        # Running clocks that are not due wait for their next threshold at some moment in the
        # next 14 days; the sweep only ever meets them as entries of the clock_next_check index.
        "clocks": """
            WITH k AS (
                SELECT c.id AS case_id, c.status, c.created_at, kind, p.id AS policy_id,
                       60 * CASE kind WHEN 'first_response' THEN p.first_response_minutes
                                      ELSE p.resolution_minutes END AS target,
                       CASE WHEN kind = 'first_response' AND c.status <> 'new' THEN 'met'
                            WHEN kind = 'resolution' AND c.status = 'waiting' THEN 'paused'
                            ELSE 'running' END AS state,
                       random() AS r
                FROM cases_case c
                CROSS JOIN (VALUES ('first_response'), ('resolution')) AS kinds(kind)
                JOIN sla_policy p ON p.priority = c.priority
                ORDER BY c.id, kind
            )
            INSERT INTO sla_caseclock (
                case_id, kind, label, policy_id, met_by, calendar_id, business_time, pausable, state,
                target_seconds, warn_percent, started_at, segment_started_at, consumed_seconds,
                due_at, stopped_at, breached_at, escalated_percent, next_check_at)
            SELECT case_id, kind, '', policy_id, '', %(calendar)s, true, true, state, target, 80,
                   created_at, created_at,
                   CASE state WHEN 'running' THEN 0 ELSE (target * r * 0.7)::int END,
                   CASE state WHEN 'paused' THEN NULL
                              WHEN 'met' THEN created_at + target * interval '2 seconds'
                              ELSE %(now)s + interval '1 minute' + r * interval '14 days'
                                   + target * interval '0.2 seconds' END,
                   CASE state WHEN 'met' THEN created_at + target * r * interval '1 second' END,
                   NULL, 0,
                   CASE state WHEN 'running' THEN %(now)s + interval '1 minute' + r * interval '14 days' END
            FROM k""",
    }
    seconds = {}
    sql("SELECT setseed(0.42)")
    with model_defaults_in_db([Customer, Case, CaseClock]):
        for table, statement in steps.items():
            began = time.perf_counter()
            sql(statement, params)
            seconds[table] = round(time.perf_counter() - began, 1)
            log(f"  {table}: {seconds[table]} s")
    began = time.perf_counter()
    sql("VACUUM ANALYZE")  # what autovacuum does soon after a load
    seconds["vacuum_analyze"] = round(time.perf_counter() - began, 1)
    log(f"  VACUUM ANALYZE: {seconds['vacuum_analyze']} s")
    return seconds


def data_shape() -> dict:
    [(cases, customers, clocks, indexed, running, paused, met)] = sql(
        """SELECT (SELECT count(*) FROM cases_case), (SELECT count(*) FROM customers_customer),
                  count(*), count(next_check_at), count(*) FILTER (WHERE state = 'running'),
                  count(*) FILTER (WHERE state = 'paused'), count(*) FILTER (WHERE state = 'met')
           FROM sla_caseclock"""
    )
    statuses = dict(sql("SELECT status, count(*) FROM cases_case GROUP BY 1 ORDER BY 1"))
    [(size,)] = sql("SELECT pg_database_size(current_database())")
    [(index_mb,)] = sql("SELECT pg_relation_size('clock_next_check') / 1048576.0")
    return {
        "open_cases": cases,
        "statuses": statuses,
        "customers": customers,
        "clocks": clocks,
        "clocks_running": running,
        "clocks_paused": paused,
        "clocks_met": met,
        "clocks_with_next_check": indexed,
        "clock_next_check_index_mb": round(float(index_mb), 1),
        "database_mb": round(size / 2**20),
    }


def earliest_start(span, *, want: int, now: datetime) -> datetime:
    """The latest segment start from which ``want`` seconds of business time have passed by
    ``now`` (there is no subtraction in the calendar: a binary search over elapsed())."""
    lo, hi = 0, 400 * 86_400  # seconds before now; 400 days cover any target here
    while lo < hi:
        mid = (lo + hi) // 2
        if span.elapsed(now - timedelta(seconds=mid), now).total_seconds() >= want:
            hi = mid
        else:
            lo = mid + 1
    return now - timedelta(seconds=lo)


def due_plan(*, due: int, seed: int) -> dict:
    """Pick ``due`` running clocks at random and work out, per band, the state in which each has
    just crossed its threshold: segment start, due_at, escalated_percent, next_check_at ≤ now."""
    from amends.sla import schedule
    from amends.sla.models import Calendar

    rng = random.Random(seed)
    picked = sql(
        "SELECT id, case_id, kind, target_seconds FROM sla_caseclock WHERE state = 'running' "
        "ORDER BY md5(id::text || %s) LIMIT %s",
        [str(seed), due],
    )
    calendar = Calendar.objects.get(is_default=True)
    span = schedule.span_for(calendar, business_time=True)
    plan: dict[str, list] = {k: [] for k in ("id", "case_id", "seg", "due", "esc", "nca", "breached")}
    expected: dict = {"escalations": 0, "breached_cases": set(), "bands": {}, "kinds": {}}
    for clock_id, case_id, kind, target in sorted(picked):
        before, crossed, _share, owed = rng.choices(BANDS, weights=[b[2] for b in BANDS])[0]
        used = target * (crossed + rng.uniform(0, OVERRUN_PERCENT)) / 100
        seg = earliest_start(span, want=int(used) + 1, now=NOW)
        # When the crossed threshold was reached: what the sweep left in next_check_at after
        # firing the one before (services.clocks.threshold_at, consumed_seconds being 0).
        check = span.add(seg, timedelta(seconds=target * crossed // 100))
        if check > NOW:
            raise SystemExit(f"clock {clock_id}: next check {check} is not due at {NOW}")
        due_at = span.add(seg, timedelta(seconds=target))
        for key, value in zip(
            plan,
            (clock_id, case_id, seg, due_at, before, check, due_at if before >= 100 else None),
            strict=True,
        ):
            plan[key].append(value)
        expected["escalations"] += owed
        expected["bands"][crossed] = expected["bands"].get(crossed, 0) + 1
        expected["kinds"][kind] = expected["kinds"].get(kind, 0) + 1
        if crossed == 100:
            expected["breached_cases"].add(case_id)
    expected["breached_cases"] = len(expected["breached_cases"])
    return {"rows": plan, "expected": expected}


def due_restore(plan: dict, *, vacuum: bool = True) -> None:
    """Put the planned clocks back into their due state, remove what a sweep wrote, and vacuum,
    so every timed sweep meets the same database."""
    rows = plan["rows"]
    sql(
        """UPDATE sla_caseclock c
           SET started_at = b.seg, segment_started_at = b.seg, due_at = b.due, consumed_seconds = 0,
               escalated_percent = b.esc, next_check_at = b.nca, breached_at = b.breached,
               state = 'running', stopped_at = NULL
           FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[], %s::smallint[],
                       %s::timestamptz[], %s::timestamptz[]) AS b(id, seg, due, esc, nca, breached)
           WHERE c.id = b.id""",
        [rows["id"], rows["seg"], rows["due"], rows["esc"], rows["nca"], rows["breached"]],
    )
    sql("UPDATE cases_case SET sla_breached = false WHERE id = ANY(%s) AND sla_breached", [rows["case_id"]])
    for table in ("sla_escalation", "notify_notification", "django_tasks_database_dbtaskresult"):
        sql(f"DELETE FROM {table}")
    sql("DELETE FROM core_auditevent WHERE name = 'sla.escalated'")
    if vacuum:
        sql(
            "VACUUM sla_caseclock, cases_case, sla_escalation, core_auditevent, notify_notification, "
            "django_tasks_database_dbtaskresult"
        )


# --- measuring ----------------------------------------------------------------------------------


class QueryTimer:
    """Counts statements and the time spent in them (execute, including the rows' transfer)."""

    def __init__(self):
        self.queries: list[tuple[float, str]] = []
        self.cpu: dict = {}

    def __call__(self, execute, sql_text, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql_text, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - began) * 1000, sql_text))

    def summary(self) -> dict:
        return {
            "queries": len(self.queries),
            "sql_ms": round(sum(ms for ms, _ in self.queries), 2),
            **self.cpu,
            "slowest": [
                {"ms": round(ms, 2), "sql": " ".join(text.split())[:160]}
                for ms, text in sorted(self.queries, key=lambda q: -q[0])[:6]
            ],
        }


def cpu_ms(pid: int) -> float:
    """CPU time a process has used, from the scheduler (nanoseconds, unlike /proc/<pid>/stat)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e6


def timed(call) -> tuple[float, int, QueryTimer]:
    """Wall time of call() in ms, its result, and its queries; CPU time of this process and of
    the PostgreSQL backend in timer.cpu (the machine is shared: CPU time is the steadier figure)."""
    from django.db import connection

    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    timer = QueryTimer()
    with connection.execute_wrapper(timer):
        cpu_before = (cpu_ms(os.getpid()), cpu_ms(backend))
        began = time.perf_counter()
        handled = call()
        elapsed = (time.perf_counter() - began) * 1000
        cpu_after = (cpu_ms(os.getpid()), cpu_ms(backend))
    timer.cpu = {
        "python_cpu_ms": round(cpu_after[0] - cpu_before[0], 1),
        "postgres_cpu_ms": round(cpu_after[1] - cpu_before[1], 1),
    }
    return elapsed, handled, timer


def clocks_sweep() -> int:
    from amends.sla import sweeper

    return sweeper.clocks_sweep(now=NOW, batch=BATCH)


def sla_sweep() -> int:
    from amends.sla import sweeper

    return sweeper.sla_sweep(now=NOW, batch=BATCH)


def verify(plan: dict, handled: int) -> dict:
    """What one sweep of the planned clocks must have left behind."""
    from amends.sla.models import Escalation

    ids = plan["rows"]["id"]
    expected = plan["expected"]
    [(still_due, wrong)] = sql(
        """SELECT count(*) FILTER (WHERE next_check_at <= %s),
                  count(*) FILTER (WHERE escalated_percent < 80)
           FROM sla_caseclock WHERE id = ANY(%s)""",
        [NOW, ids],
    )
    [(breached,)] = sql("SELECT count(*) FROM cases_case WHERE sla_breached")
    checks = {
        "handled": handled,
        "escalations": Escalation.objects.count(),
        "escalations_expected": expected["escalations"],
        "breached_cases": breached,
        "breached_cases_expected": expected["breached_cases"],
        "planned_clocks_still_due": still_due,
        "planned_clocks_below_80": wrong,
        "digests": sql("SELECT count(*) FROM notify_notification WHERE event = 'digest'")[0][0],
        "second_sweep_handled": clocks_sweep(),
    }
    checks["ok"] = (
        handled == len(ids)
        and checks["escalations"] == expected["escalations"]
        and breached == expected["breached_cases"]
        and still_due == 0
        and wrong == 0
        and checks["second_sweep_handled"] == 0
    )
    return checks


def explain_due_select() -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the query due_clocks() runs, in a rolled-back transaction."""
    from django.db import connection, transaction

    from amends.sla.locks import due_clocks

    seen: list[tuple[str, object]] = []

    def capture(execute, sql_text, params, many, context):
        seen.append((sql_text, params))
        return execute(sql_text, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(capture):
        due_clocks(now=NOW, limit=BATCH)
        transaction.set_rollback(True)
    select, params = next((text, p) for text, p in seen if "FOR UPDATE" in text)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + select, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def phase_targets() -> dict:
    """The functions one clocks_sweep spends its time in: label → (owner, attribute name).
    Indented labels run inside the one above them."""
    from django.db import connections

    from amends.sla import sweeper

    return {
        "select the due rows (due_clocks)": (sweeper, "due_clocks"),
        "share used (calendar elapsed)": (sweeper, "_share_used"),
        "next check (calendar add)": (sweeper, "next_check"),
        "build escalations (_Batch.escalate)": (sweeper._Batch, "escalate"),
        "update the clocks (bulk_update_by_pk)": (sweeper, "bulk_update_by_pk"),
        "write (_Batch.write)": (sweeper._Batch, "write"),
        "  insert the escalations (bulk_insert)": (sweeper, "bulk_insert"),
        "COMMIT": (connections["default"], "commit"),
    }


def by_parts(call) -> dict:
    """Wall ms per part of one call, without a profiler: each target function is wrapped with a
    timer for the call (about a microsecond each on ~5,000 calls). Targets the code no longer
    has are left out."""
    targets = {k: v for k, v in phase_targets().items() if hasattr(*v)}
    ms = dict.fromkeys(targets, 0.0)
    calls = dict.fromkeys(targets, 0)

    def wrap(label, original):
        def timed_call(*args, **kwargs):
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                ms[label] += (time.perf_counter() - began) * 1000
                calls[label] += 1

        return timed_call

    saved = []
    for label, (owner, name) in targets.items():
        saved.append((owner, name, vars(owner).get(name) if hasattr(owner, "__dict__") else None))
        setattr(owner, name, wrap(label, getattr(owner, name)))
    try:
        began = time.perf_counter()
        call()
        total = (time.perf_counter() - began) * 1000
    finally:
        for owner, name, original in saved:
            if original is None:
                delattr(owner, name)  # it was the class's (or the proxied connection's) method
            else:
                setattr(owner, name, original)
    top = sum(v for label, v in ms.items() if not label.startswith(" "))
    return {"total": total, **ms, "the rest (rules, loop, case update)": total - top, "calls": calls}


def profile(plan: dict, *, runs: int = 5) -> dict:
    """clocks_sweep timed by parts (median of ``runs``), then once under cProfile."""
    samples = []
    for _ in range(runs):
        due_restore(plan)
        samples.append(by_parts(clocks_sweep))
    labels = [k for k in samples[0] if k != "calls"]
    parts = {k: round(sorted(s[k] for s in samples)[len(samples) // 2], 1) for k in labels}
    due_restore(plan)
    profiler = cProfile.Profile()
    profiler.runcall(clocks_sweep)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
    return {"parts_median_ms": parts, "calls": samples[0]["calls"], "cprofile_top": text.getvalue()}


def median(values: list[float]) -> float:
    return round(sorted(values)[len(values) // 2], 1)


def run_summary(runs: list[dict]) -> dict:
    """Wall time (min, nearest-rank p50/p95, max), CPU medians and query counts of timed runs."""
    return {
        "wall_ms": summary_ms([r["ms"] / 1000 for r in runs]) | {"min": min(r["ms"] for r in runs)},
        "python_cpu_ms_median": median([r["python_cpu_ms"] for r in runs]),
        "postgres_cpu_ms_median": median([r["postgres_cpu_ms"] for r in runs]),
        "sql_ms_median": median([r["sql_ms"] for r in runs]),
        "queries": sorted({r["queries"] for r in runs}),
    }


def measure(plan: dict, *, repeat: int) -> dict:
    from django.db import connection

    from amends.sla import schedule

    due_count = len(plan["rows"]["id"])
    out: dict = {}
    # First call in the process: a new connection, no calendar built, no template loaded.
    due_restore(plan)
    connection.close()
    schedule._cache.clear()
    ms, handled, timer = timed(clocks_sweep)
    out["first"] = {"ms": round(ms, 1), "handled": handled, **timer.summary()}
    log(f"  first clocks_sweep: {ms:.1f} ms, {handled} handled, {len(timer.queries)} queries")
    out["checks"] = verify(plan, handled)
    log(f"  checks: {out['checks']}")

    runs = []
    for i in range(repeat):
        due_restore(plan)
        ms, handled, timer = timed(clocks_sweep)
        if handled != due_count:
            raise SystemExit(f"repetition {i}: {handled} handled")
        runs.append({"ms": round(ms, 1), **timer.summary()})
        log(
            f"  clocks_sweep {i + 1}/{repeat}: {ms:.1f} ms, {runs[-1]['queries']} queries,"
            f" SQL {runs[-1]['sql_ms']} ms, CPU {timer.cpu}"
        )
    out["clocks_sweep"] = run_summary(runs) | {"runs": runs}

    # Without the vacuum: the sweep right after a restore meets the dead row versions too.
    due_restore(plan, vacuum=False)
    ms, handled, timer = timed(clocks_sweep)
    out["unvacuumed"] = {"ms": round(ms, 1), "handled": handled, **timer.summary()}

    full = []
    for _ in range(max(repeat // 3, 3)):
        due_restore(plan)
        ms, handled, timer = timed(sla_sweep)
        full.append({"ms": round(ms, 1), "handled": handled, **timer.summary()})
    out["sla_sweep"] = run_summary(full) | {"runs": full}
    log(f"  sla_sweep: {out['sla_sweep']['wall_ms']}")

    # Nothing due: right after a sweep (the swept rows' old versions are still in the index),
    # then after a vacuum, as the worker meets it every AMENDS_PERIODIC_SECONDS.
    ms, handled, timer = timed(sla_sweep)
    out["empty_after_sweep"] = {"ms": round(ms, 2), "handled": handled, **timer.summary()}
    sql("VACUUM sla_caseclock")
    empty = []
    for _ in range(50):
        ms, handled, timer = timed(sla_sweep)
        if handled:
            raise SystemExit(f"an empty sweep handled {handled}")
        empty.append({"ms": ms, **timer.summary()})
    out["empty"] = run_summary(empty) | {"last": empty[-1]}
    log(f"  empty sla_sweep: {out['empty']['wall_ms']}")

    due_restore(plan)
    out["explain"] = explain_due_select()
    log(out["explain"])
    out["profile"] = profile(plan)
    return out


def print_table(report: dict) -> None:
    m = report["measured"]
    shape = report["data"]
    print()
    print(
        f"{shape['open_cases']:,} open cases, {shape['clocks']:,} clocks "
        f"({shape['clocks_with_next_check']:,} in clock_next_check), {report['due']:,} due, batch {BATCH}"
    )
    before, after = report["loadavg_before"], report["loadavg_after"]
    load = ", ".join(f"{a:.1f} → {b:.1f}" for a, b in zip(before, after, strict=True))
    print(f"code {report['git_commit']}; load average 1/5/15 min before → after: {load}")
    print(f"{'wall ms':>48}{'CPU py+pg':>12}{'queries':>9}")

    def row(label: str, wall: str, cpu: str = "", queries: object = "") -> None:
        print(f"{label:<36}{wall:>12}{cpu:>12}{queries!s:>9}")

    first = m["first"]
    row("clocks_sweep, first in process", f"{first['ms']:.1f}", "", first["queries"])
    for name, label in (("clocks_sweep", "clocks_sweep"), ("sla_sweep", "sla_sweep (whole job)")):
        r = m[name]
        w = r["wall_ms"]
        cpu = f"{r['python_cpu_ms_median']:.0f}+{r['postgres_cpu_ms_median']:.0f}"
        queries = ",".join(map(str, r["queries"]))
        row(f"{label}, min/p50", f"{w['min']:.1f}/{w['p50']:.1f}", cpu, queries)
        row(f"  p95/max of {w['n']}", f"{w['p95']:.1f}/{w['max']:.1f}")
    row("clocks_sweep, not vacuumed", f"{m['unvacuumed']['ms']:.1f}", "", m["unvacuumed"]["queries"])
    e = m["empty"]
    cpu = f"{e['python_cpu_ms_median']:.1f}+{e['postgres_cpu_ms_median']:.1f}"
    row(
        "nothing due: sla_sweep p50/p95",
        f"{e['wall_ms']['p50']:.2f}/{e['wall_ms']['p95']:.2f}",
        cpu,
        e["queries"][0],
    )
    row("  right after a sweep", f"{m['empty_after_sweep']['ms']:.2f}")
    parts = m["profile"]["parts_median_ms"]
    print(f"\nclocks_sweep by parts, median of 5 ({parts['total']:.1f} ms in all)")
    for label, ms in parts.items():
        if label != "total":
            calls = m["profile"]["calls"].get(label, "")
            print(f"  {label:<42}{ms:>8.1f} ms  {calls}")
    p50 = m["clocks_sweep"]["wall_ms"]["p50"]
    verdict = "meets" if p50 <= TARGET_MS else "MISSES"
    print(f"median {p50:.1f} ms {verdict} the target of {TARGET_MS} ms; checks ok: {m['checks']['ok']}")
    print()


def child_main(opts: argparse.Namespace) -> None:
    """The measurement, in a process whose Django runs the snapshot against the bench database."""
    import djangosetup  # noqa: F401  (sys.path and django.setup(); must come before amends imports)
    from django.core.management import call_command
    from django.db import connection

    started = datetime.now(UTC)
    report: dict = {
        "started": started.isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/sweep.py", *sys.argv[1:]]),
        "git_commit": os.environ["BENCH_COMMIT"],
        "machine": machine_info(),
        "database": DB_NAME,
        "now": NOW.isoformat(),
        "due": opts.due,
        "batch": BATCH,
        "target_ms": TARGET_MS,
    }
    if not opts.reuse:
        call_command("migrate", verbosity=0, interactive=False)
        staff = staff_create()
        log(f"loading {opts.cases:,} open cases")
        began = time.perf_counter()
        report["load_seconds"] = load(cases=opts.cases, staff=staff)
        report["load_seconds"]["total"] = round(time.perf_counter() - began, 1)
    report["postgres"] = pg_settings(DB_URL)
    report["data"] = data_shape()
    log(f"data: {report['data']}")
    plan = due_plan(due=opts.due, seed=opts.seed)
    report["expected"] = plan["expected"]
    report["loadavg_before"] = os.getloadavg()
    report["measured"] = measure(plan, repeat=opts.repeat)
    report["loadavg_after"] = os.getloadavg()
    connection.close()
    report["seconds"] = round((datetime.now(UTC) - started).total_seconds())
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    name = f"{started:%Y%m%dT%H%M%SZ}-sweep-{opts.cases}{'-' + opts.label if opts.label else ''}.json"
    (RESULTS_DIR / name).write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print_table(report)
    print(f"results: {RESULTS_DIR / name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1000, help="clocks made due (default 1000)")
    parser.add_argument("--repeat", type=int, default=15, help="timed sweeps after the first")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database, no reload")
    parser.add_argument("--live-tree", action="store_true", help="measure the working tree, not HEAD")
    parser.add_argument("--label", default="")
    opts = parser.parse_args()
    if not 0 < opts.due <= BATCH:
        parser.error(f"--due must be between 1 and the batch size, {BATCH}")
    if os.environ.get("BENCH_APP_ROOT"):
        child_main(opts)
        return

    rerun_in_snapshot(__file__, opts, db_name=DB_NAME, db_url=DB_URL, admin_url=ADMIN_URL)


if __name__ == "__main__":
    main()
