"""Keep the dashboard's daily rollups equal to what the raw tables say (ADR 0012).

The case and SLA services call ``rollups_refresh(case_ids=…)`` (or ``rollups_add_new`` from
intake) at the end of their transaction, after every change they make. It works per case:

1. lock the case's ``CaseFacts`` row (what the case adds to the rollups now);
2. read the case, its settled promises, answered satisfaction checks and reopen/resolve
   events, and turn them into new facts (``facts_from``);
3. expand old and new facts into rollup rows, subtract, and write the difference with one
   ``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` per table (rows sorted by key,
   so two transactions never take the same rows in opposite orders);
4. store the new facts.

Counting is an atomic increment in the database, never read-modify-write. The facts row is
locked before anything is read, so two services changing the same case at once (a promise
marked done while the case moves team) take turns and the second sees the first's result;
and because the difference is taken against what was really added, a case that changes team,
category or owner moves its counts, and a reopened case takes its resolution back.

``rollups_rebuild`` recomputes everything from the raw tables with the same ``facts_from``;
the tests check that the two agree after any mix of operations.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, IntegerField, Value

from amends.cases import events as case_events
from amends.cases.choices import Decision
from amends.cases.models import Case
from amends.core.models import AuditEvent
from amends.reports.histogram import bucket_of
from amends.reports.models import (
    COUNTERS,
    KEY_FIELDS,
    CaseFacts,
    DailyCounts,
    DailyRedress,
    DailyTimes,
    Grouping,
)
from amends.sla.models import Commitment, CommitmentStatus, FollowUp, FollowUpStatus

# The case columns facts_from reads.
CASE_COLUMNS = (
    "id",
    "team_id",
    "owner_id",
    "channel",
    "language",
    "category_id",
    "root_cause_id",
    "product",
    "vulnerable",
    "created_at",
    "first_responded_at",
    "first_response_seconds",
    "resolved_at",
    "resolution_seconds",
    "sla_breached",
    "decision",
    "redress_amount",
    "redress_currency",
    "closed_at",
)

# For each grouping, which of the seven dimensions (team, owner, channel, language, category,
# root cause, product) it keeps.
DIMENSIONS = ("team", "agent", "channel", "language", "category", "root_cause", "product")
KEEPS: dict[int, tuple[bool, ...]] = {
    Grouping.TOTAL: (False,) * 7,
    **{
        grouping: tuple(name == grouping.label for name in DIMENSIONS)
        for grouping in Grouping
        if grouping not in (Grouping.TOTAL, Grouping.FULL)
    },
    Grouping.FULL: (True,) * 7,
}
EMPTY_DIMS = (0, 0, "", "", 0, 0, "")
COUNTER_INDEX = {name: i for i, name in enumerate(COUNTERS)}


def local_day(moment: datetime | None) -> str | None:
    """The day of a moment in the installation's time zone, as stored in the facts."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date().isoformat()


# -- facts --------------------------------------------------------------------------------


def facts_from(
    case: dict,
    *,
    promises: Sequence[tuple[str, datetime]] = (),
    answers: Sequence[tuple[datetime, bool | None, int | None]] = (),
    reopens: Sequence[datetime] = (),
    resolutions: Sequence[datetime] = (),
) -> dict:
    """What a case adds to the rollups, from its row (a dict of CASE_COLUMNS) and its settled
    promises (status, settled_at), answered checks (answered_at, solved, rating) and the times
    of its reopen and resolve events. Compact JSON: it is stored for every case."""
    facts: dict = {
        "k": [
            case["team_id"] or 0,
            case["owner_id"] or 0,
            case["channel"] or "",
            case["language"] or "",
            case["category_id"] or 0,
            case["root_cause_id"] or 0,
            case["product"] or "",
            bool(case["vulnerable"]),
        ],
        "o": local_day(case["created_at"]),
    }
    if case["first_responded_at"] is not None:
        facts["r"] = [local_day(case["first_responded_at"]), case["first_response_seconds"]]
    if case["resolved_at"] is not None:
        amount = case["redress_amount"]
        cents = int((Decimal(amount) * 100).to_integral_value()) if amount else 0
        facts["s"] = [
            local_day(case["resolved_at"]),
            case["resolution_seconds"],
            not case["sla_breached"],
            case["decision"] or "",
            cents,
            (case["redress_currency"] or "").upper() if cents else "",
        ]
    if case["closed_at"] is not None:
        facts["c"] = local_day(case["closed_at"])
    if reopens:
        facts["ro"] = sorted(local_day(at) for at in reopens)
    if resolutions:
        facts["rs"] = sorted(local_day(at) for at in resolutions)
    if promises:
        facts["p"] = sorted([local_day(at), status == CommitmentStatus.KEPT] for status, at in promises)
    if answers:
        # Sorted, so the same rows give the same list whatever order they came in.
        facts["a"] = sorted(
            ([local_day(at), solved, rating] for at, solved, rating in answers),
            key=lambda a: (a[0], a[1] is None, bool(a[1]), a[2] is None, a[2] or 0),
        )
    return facts


def _children(case_ids: Sequence[int]) -> dict[int, dict[str, list]]:
    """Settled promises, answered checks and reopen/resolve events of these cases, in one
    query (a UNION ALL of the three tables)."""
    promises = (
        Commitment.objects.filter(
            case_id__in=case_ids,
            status__in=(CommitmentStatus.KEPT, CommitmentStatus.BROKEN),
            settled_at__isnull=False,
        )
        .annotate(
            kind=Value("p"),
            flag=Value(None, output_field=BooleanField()),
            number=Value(None, output_field=IntegerField()),
        )
        .values_list("case_id", "kind", "status", "settled_at", "flag", "number")
        .order_by()
    )
    answers = (
        FollowUp.objects.filter(
            case_id__in=case_ids, status=FollowUpStatus.ANSWERED, answered_at__isnull=False
        )
        .annotate(kind=Value("a"), text=Value(""))
        .values_list("case_id", "kind", "text", "answered_at", "solved", "rating")
        .order_by()
    )
    events = (
        AuditEvent.objects.filter(
            target_type="case",
            target_id__in=case_ids,
            name__in=(case_events.REOPENED, case_events.RESOLVED),
        )
        .annotate(
            kind=Value("e"),
            flag=Value(None, output_field=BooleanField()),
            number=Value(None, output_field=IntegerField()),
        )
        .values_list("target_id", "kind", "name", "created_at", "flag", "number")
        .order_by()
    )
    out: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for case_id, kind, text, moment, flag, number in promises.union(answers, events, all=True).order_by():
        if kind == "p":
            out[case_id]["promises"].append((text, moment))
        elif kind == "a":
            out[case_id]["answers"].append((moment, flag, number))
        elif text == case_events.REOPENED:
            out[case_id]["reopens"].append(moment)
        else:
            out[case_id]["resolutions"].append(moment)
    return out


def facts_for_cases(case_ids: Sequence[int], rows: dict[int, dict] | None = None) -> dict[int, dict]:
    """Current facts of these cases: their rows (read here unless given) and one query for
    their promises, checks and events."""
    if rows is None:
        rows = {row["id"]: row for row in Case.objects.filter(pk__in=case_ids).values(*CASE_COLUMNS)}
    children = _children(case_ids)
    return {
        pk: facts_from(
            row,
            promises=children[pk]["promises"],
            answers=children[pk]["answers"],
            reopens=children[pk]["reopens"],
            resolutions=children[pk]["resolutions"],
        )
        for pk, row in rows.items()
    }


# -- facts → rollup rows ------------------------------------------------------------------


class Rows:
    """Rollup rows being added up: counters, time histograms and redress, by full key."""

    def __init__(self, groupings: Sequence[int] | None = None) -> None:
        self.keeps = {g: k for g, k in KEEPS.items() if groupings is None or g in groupings}
        self.counts: dict[tuple, list[int]] = {}
        self.times: dict[tuple, int] = defaultdict(int)
        self.redress: dict[tuple, list[int]] = {}

    def add(self, facts: dict, sign: int = 1) -> None:
        if not facts:
            return
        *dims, vulnerable = facts["k"]
        keys = {}  # day -> the rollup keys of that day, one per grouping

        def keys_of(day: str) -> list[tuple]:
            if day not in keys:
                when = date.fromisoformat(day)
                keys[day] = [
                    (
                        grouping,
                        when,
                        vulnerable,
                        *(d if keep else e for d, keep, e in zip(dims, kept, EMPTY_DIMS, strict=True)),
                    )
                    for grouping, kept in self.keeps.items()
                ]
            return keys[day]

        def count(day: str, name: str, value: int = 1) -> None:
            index = COUNTER_INDEX[name]
            for key in keys_of(day):
                row = self.counts.get(key)
                if row is None:
                    row = self.counts[key] = [0] * len(COUNTERS)
                row[index] += sign * value

        def time(day: str, measure: str, seconds: int | None) -> None:
            if seconds is None:
                return
            bucket = bucket_of(seconds)
            for key in keys_of(day):
                self.times[(*key, measure, bucket)] += sign

        count(facts["o"], "opened")
        if "r" in facts:
            day, seconds = facts["r"]
            count(day, "responded")
            time(day, "fr", seconds)
        if "s" in facts:
            day, seconds, sla_met, decision, cents, currency = facts["s"]
            count(day, "resolved")
            time(day, "res", seconds)
            if sla_met:
                count(day, "sla_met")
            if decision in (Decision.UPHELD, Decision.PARTLY_UPHELD, Decision.NOT_UPHELD):
                count(day, decision)
            if cents:
                for key in keys_of(day):
                    row = self.redress.setdefault((*key, currency), [0, 0])
                    row[0] += sign
                    row[1] += sign * cents
        if "c" in facts:
            count(facts["c"], "closed")
        for day in facts.get("ro", ()):
            count(day, "reopened")
        for day in facts.get("rs", ()):
            count(day, "resolutions")
        for day, kept in facts.get("p", ()):
            count(day, "promises_kept" if kept else "promises_broken")
        for day, solved, rating in facts.get("a", ()):
            count(day, "answers")
            if rating is not None:
                count(day, "answers_rated")
                count(day, "rating_sum", rating)
            if solved is False or (rating is not None and rating <= 2):
                count(day, "dissatisfied")

    def nonzero(self) -> tuple[list, list, list]:
        """The rows that change something, each list sorted by key (the lock order)."""
        counts = sorted((k, v) for k, v in self.counts.items() if any(v))
        times = sorted((k, v) for k, v in self.times.items() if v)
        redress = sorted((k, v) for k, v in self.redress.items() if any(v))
        return counts, times, redress


# -- writing ------------------------------------------------------------------------------

CHUNK = 400  # rows per statement: well under SQLite's 32,766 parameters


def _upsert(table: str, key_columns: Sequence[str], value_columns: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    qn = connection.ops.quote_name
    columns = [*key_columns, *value_columns]
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{qn(c)} = {qn(table)}.{qn(c)} + excluded.{qn(c)}" for c in value_columns)
    head = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES "
    tail = f" ON CONFLICT ({', '.join(qn(c) for c in key_columns)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            part = rows[start : start + CHUNK]
            cursor.execute(
                head + ", ".join([placeholder] * len(part)) + tail, [v for row in part for v in row]
            )


def rows_write(rows: Rows) -> None:
    """Add the rows to the rollup tables: one upsert statement per table (per 400 rows)."""
    counts, times, redress = rows.nonzero()
    _upsert(DailyCounts._meta.db_table, KEY_FIELDS, COUNTERS, [(*k, *v) for k, v in counts])
    _upsert(
        DailyTimes._meta.db_table, (*KEY_FIELDS, "measure", "bucket"), ("count",), [(*k, v) for k, v in times]
    )
    _upsert(
        DailyRedress._meta.db_table,
        (*KEY_FIELDS, "currency"),
        ("cases", "amount_cents"),
        [(*k, *v) for k, v in redress],
    )


def _facts_lock(case_ids: list[int]) -> tuple[dict[int, dict], dict[int, dict]]:
    """Lock the facts rows of these cases (in id order) and read them with the cases' columns
    in the same query; a case without facts gets an empty row first, so that two first
    refreshes of it also take turns. Returns (facts, case rows) by case id."""
    columns = ["case_id", "facts", *(f"case__{c}" for c in CASE_COLUMNS)]

    def read(ids):
        found = {}
        for row in (
            CaseFacts.objects.select_for_update(of=("self",))
            .filter(case_id__in=ids)
            .order_by("case_id")
            .values(*columns)
        ):
            found[row["case_id"]] = (row["facts"], {c: row[f"case__{c}"] for c in CASE_COLUMNS})
        return found

    found = read(case_ids)
    missing = [pk for pk in case_ids if pk not in found]
    if missing:
        CaseFacts.objects.bulk_create(
            [CaseFacts(case_id=pk, facts={}) for pk in missing], ignore_conflicts=True
        )
        found.update(read(missing))
    return {pk: f for pk, (f, _r) in found.items()}, {pk: r for pk, (_f, r) in found.items()}


def _facts_store(changed: dict[int, dict]) -> None:
    if not changed:
        return
    table = connection.ops.quote_name(CaseFacts._meta.db_table)
    value = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET facts = {value} WHERE case_id = %s",
            [(json.dumps(facts), pk) for pk, facts in sorted(changed.items())],
        )


def rollups_refresh(*, case_ids: Iterable[int]) -> None:
    """Bring the rollups up to date with these cases. Call it inside the transaction that
    changed them, after the last change (the case's row, its promises, its checks)."""
    ids = sorted({int(pk) for pk in case_ids if pk is not None})
    if not ids:
        return
    with transaction.atomic(savepoint=False):
        before, rows_now = _facts_lock(ids)
        now = facts_for_cases(list(rows_now), rows=rows_now)
        changed = {pk: facts for pk, facts in now.items() if facts != before.get(pk)}
        if not changed:
            return
        rows = Rows()
        for pk, facts in changed.items():
            rows.add(before.get(pk) or {}, sign=-1)
            rows.add(facts)
        rows_write(rows)
        _facts_store(changed)


def rollups_add_new(*, cases: Sequence[Case]) -> None:
    """Count cases intake has just inserted: their facts come from the instances, no lock (no
    other transaction can see them yet). One that was refreshed already in this transaction (a
    task run inline, as in tests, that changed its language) is left alone: it is counted."""
    if not cases:
        return
    counted = set(
        CaseFacts.objects.filter(case_id__in=[c.pk for c in cases]).values_list("case_id", flat=True)
    )
    rows = Rows()
    new = []
    for case in cases:
        if case.pk in counted:
            continue
        facts = facts_from({name: getattr(case, name) for name in CASE_COLUMNS})
        rows.add(facts)
        new.append(CaseFacts(case_id=case.pk, facts=facts))
    rows_write(rows)
    CaseFacts.objects.bulk_create(new)


# -- rebuild ------------------------------------------------------------------------------

REBUILD_CHUNK = 2000
# The all-dimensions rows are staged without a key, then added up by the database; every other
# grouping is then the sum of those rows over the dimensions it drops. The same numbers as
# writing all nine groupings row by row, at a fraction of the work.
STAGES = {
    DailyCounts: ("reports_rebuild_counts", (), COUNTERS),
    DailyTimes: ("reports_rebuild_times", ("measure", "bucket"), ("count",)),
    DailyRedress: ("reports_rebuild_redress", ("currency",), ("cases", "amount_cents")),
}
DIMENSION_COLUMNS = ("team_id", "owner_id", "channel", "language", "category_id", "root_cause_id", "product")


def _stage_create(cursor) -> None:
    qn = connection.ops.quote_name
    for model, (table, extra, values) in STAGES.items():
        columns = []
        for name in (*KEY_FIELDS, *extra, *values):
            field = model._meta.get_field(name)
            columns.append(f"{qn(name)} {field.cast_db_type(connection)}")
        cursor.execute(f"DROP TABLE IF EXISTS {qn(table)}")
        cursor.execute(f"CREATE TEMPORARY TABLE {qn(table)} ({', '.join(columns)})")


def _stage_write(cursor, rows: Rows) -> None:
    qn = connection.ops.quote_name
    counts, times, redress = rows.nonzero()
    for model, data in (
        (DailyCounts, [(*k, *v) for k, v in counts]),
        (DailyTimes, [(*k, v) for k, v in times]),
        (DailyRedress, [(*k, *v) for k, v in redress]),
    ):
        table, extra, values = STAGES[model]
        columns = (*KEY_FIELDS, *extra, *values)
        if connection.vendor == "postgresql":
            # COPY: a million cases stage tens of millions of rows, and building INSERT texts
            # of 400 rows each cost three quarters of the rebuild's time.
            with cursor.cursor.copy(
                f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
            ) as copy:
                for row in data:
                    copy.write_row(row)
            continue
        placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for start in range(0, len(data), CHUNK):
            part = data[start : start + CHUNK]
            cursor.execute(
                f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES "
                + ", ".join([placeholder] * len(part)),
                [v for row in part for v in row],
            )


def _stage_merge(cursor) -> None:
    """Sum the staged rows into the FULL grouping, then derive the others from it."""
    qn = connection.ops.quote_name
    for model, (table, extra, values) in STAGES.items():
        target = qn(model._meta.db_table)
        keys = ", ".join(qn(c) for c in (*KEY_FIELDS, *extra))
        sums = ", ".join(f"SUM({qn(v)})" for v in values)
        value_names = ", ".join(qn(v) for v in values)
        cursor.execute(
            f"INSERT INTO {target} ({keys}, {value_names}) "
            f"SELECT {keys}, {sums} FROM {qn(table)} GROUP BY {keys}"
        )
        for grouping, kept in KEEPS.items():
            if grouping == Grouping.FULL:
                continue
            dims = []
            group_by = [qn("day"), qn("vulnerable"), *(qn(c) for c in extra)]
            for column, keep, empty in zip(DIMENSION_COLUMNS, kept, EMPTY_DIMS, strict=True):
                if keep:
                    dims.append(qn(column))
                    group_by.append(qn(column))
                else:
                    dims.append("''" if isinstance(empty, str) else "0")
            select = ", ".join(
                [str(int(grouping)), qn("day"), qn("vulnerable"), *dims, *(qn(c) for c in extra), sums]
            )
            cursor.execute(
                f"INSERT INTO {target} ({keys}, {value_names}) SELECT {select} FROM {target} "
                f"WHERE {qn('grouping')} = {int(Grouping.FULL)} GROUP BY {', '.join(group_by)}"
            )
        cursor.execute(f"DROP TABLE {qn(table)}")


def rollups_rebuild(*, chunk: int = REBUILD_CHUNK, progress=None) -> int:
    """Recompute every rollup and every case's facts from the raw tables, in one transaction
    (on PostgreSQL the facts table is locked first, so services that change a case meanwhile
    wait and then apply their change on top of the rebuilt numbers). Returns the case count."""
    done = 0
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {CaseFacts._meta.db_table} IN EXCLUSIVE MODE")
        for model in (DailyCounts, DailyTimes, DailyRedress, CaseFacts):
            model.objects.all().delete()
        _stage_create(cursor)
        last = 0
        while True:
            ids = list(Case.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk])
            if not ids:
                break
            facts = facts_for_cases(ids)
            rows = Rows(groupings=[Grouping.FULL])
            for item in facts.values():
                rows.add(item)
            _stage_write(cursor, rows)
            CaseFacts.objects.bulk_create([CaseFacts(case_id=pk, facts=item) for pk, item in facts.items()])
            done += len(ids)
            last = ids[-1]
            if progress:
                progress(done)
        _stage_merge(cursor)
    return done
