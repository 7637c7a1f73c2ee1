"""The figures of the managers' dashboard (R-LE-1), read from the rollups, and the cases
behind each figure. Definitions: docs/subsystems/reports.md.

A page costs a fixed number of queries whatever the number of cases: one per rollup grouping
it reads (each a SUM over the period's rows), one for the customers, one for recurrences, and
the names for the filters.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import formats
from django.utils.translation import gettext

from amends.accounts.models import Team, User
from amends.cases import events as case_events
from amends.cases.choices import Channel, Decision
from amends.cases.models import Case, Category, RootCause
from amends.cases.selectors import cases_visible_to
from amends.core.models import AuditEvent
from amends.customers.models import Customer
from amends.reports.filters import ReportFilters
from amends.reports.histogram import quantile
from amends.reports.models import COUNTERS, DailyCounts, DailyRedress, DailyTimes, Grouping
from amends.sla.models import Commitment, CommitmentStatus, FollowUp, FollowUpStatus

# Filter name -> (grouping, rollup column).
DIMENSION_COLUMNS = {
    "team": (Grouping.TEAM, "team_id"),
    "agent": (Grouping.AGENT, "owner_id"),
    "channel": (Grouping.CHANNEL, "channel"),
    "language": (Grouping.LANGUAGE, "language"),
    "category": (Grouping.CATEGORY, "category_id"),
    "root_cause": (Grouping.ROOT_CAUSE, "root_cause_id"),
    "product": (Grouping.PRODUCT, "product"),
}
SPLITS = ("all", "yes", "no")  # everyone, vulnerable customers, the others


def _grouping(filters: ReportFilters, by: str | None = None) -> Grouping:
    """The smallest grouping that holds the filtered dimensions and `by`."""
    needed = set(filters.dimensions) | ({by} if by else set())
    if not needed:
        return Grouping.TOTAL
    if len(needed) == 1:
        return DIMENSION_COLUMNS[needed.pop()][0]
    return Grouping.FULL


def _rows(model, filters: ReportFilters, by: str | None = None) -> QuerySet:
    qs = model.objects.filter(grouping=_grouping(filters, by), day__gte=filters.start, day__lte=filters.end)
    for name, value in filters.dimensions.items():
        qs = qs.filter(**{DIMENSION_COLUMNS[name][1]: value})
    if filters.vulnerable is not None:
        qs = qs.filter(vulnerable=filters.vulnerable)
    return qs


def _split(vulnerable: bool) -> str:
    return "yes" if vulnerable else "no"


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass
class Split:
    """One figure for everyone, for vulnerable customers and for the others."""

    all: Any = None
    yes: Any = None
    no: Any = None

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


@dataclass
class Bar:
    key: Any  # what the drill-down filters on (an id, a code, a week's first day)
    label: str
    counts: dict[str, int]  # split -> count
    cumulative: float | None = None  # Pareto only: share of the total up to this bar
    resolved: dict[str, int] | None = None  # weekly trend only: resolved in that week


@dataclass
class Dashboard:
    filters: ReportFilters
    totals: dict[str, dict[str, int]]  # split -> counter -> sum
    figures: dict[str, Split]
    pareto: list[Bar]
    root_causes: list[Bar]
    weeks: list[Bar]
    channels: list[Bar]
    languages: list[Bar]
    redress: dict[str, dict[str, tuple[int, int]]]  # currency -> split -> (cases, cents)
    customers: int
    recurrence_available: bool
    names: dict[str, dict] = field(default_factory=dict)


# The bar charts: the dimension each is drawn by, and the counter it shows.
CHARTS = (("category", "opened"), ("root_cause", "closed"), ("channel", "opened"), ("language", "opened"))


def _chart_rows(filters: ReportFilters) -> dict[str, list[dict]]:
    """Rows (the chart's column, vulnerable, its counter) for each bar chart. A chart whose
    dimension and filters fit a small grouping reads it; the charts that need the
    all-dimensions rows (a filter on another dimension) share one query over them, added up
    here: one scan of the period's largest rows instead of up to four."""
    out: dict[str, list[dict]] = {}
    full = [(d, v) for d, v in CHARTS if _grouping(filters, d) == Grouping.FULL]
    for dimension, value in CHARTS:
        if (dimension, value) not in full:
            column = DIMENSION_COLUMNS[dimension][1]
            out[dimension] = list(
                _rows(DailyCounts, filters, by=dimension)
                .values(column, "vulnerable")
                .annotate(**{value: Sum(value)})
            )
    if full:
        columns = [DIMENSION_COLUMNS[d][1] for d, _ in full]
        values = sorted({v for _, v in full})
        rows = list(
            _rows(DailyCounts, filters, by=full[0][0])
            .values(*columns, "vulnerable")
            .annotate(**{v: Sum(v) for v in values})
        )
        for dimension, value in full:
            column = DIMENSION_COLUMNS[dimension][1]
            sums: dict[tuple, int] = defaultdict(int)
            for row in rows:
                sums[(row[column], row["vulnerable"])] += row[value] or 0
            out[dimension] = [{column: k, "vulnerable": vul, value: n} for (k, vul), n in sums.items()]
    return out


def _sum_by_split(rows, counters) -> dict[str, dict[str, int]]:
    out = {s: dict.fromkeys(counters, 0) for s in SPLITS}
    for row in rows:
        for name in counters:
            value = row[name] or 0
            out[_split(row["vulnerable"])][name] += value
            out["all"][name] += value
    return out


def _bars(rows, key: str, value: str, label) -> list[Bar]:
    counts: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SPLITS, 0))
    for row in rows:
        amount = row[value] or 0
        counts[row[key]][_split(row["vulnerable"])] += amount
        counts[row[key]]["all"] += amount
    bars = [Bar(key=k, label=label(k), counts=c) for k, c in counts.items() if c["all"]]
    bars.sort(key=lambda b: (-b.counts["all"], str(b.label)))
    return bars


def _pareto(bars: list[Bar]) -> list[Bar]:
    total = sum(b.counts["all"] for b in bars)
    running = 0
    for bar in bars:
        running += bar.counts["all"]
        bar.cumulative = running / total if total else None
    return bars


def week_start(day: date, first_weekday: int) -> date:
    """The first day of the week holding `day`; `first_weekday` as Django's FIRST_DAY_OF_WEEK
    (0 = Sunday, 1 = Monday …)."""
    return day - timedelta(days=(day.isoweekday() % 7 - first_weekday) % 7)


def customers_known(end: date) -> int:
    """Customers on record by the end of `end` (the denominator of complaints per 1,000
    customers). Cached for ten minutes: it changes slowly and is the one count not kept in a
    rollup (customers are not cases)."""
    key = f"amends.reports.customers:{end.isoformat()}"
    count = cache.get(key)
    if count is None:
        zone_end = ReportFilters(start=end, end=end).moments()[1]
        count = Customer.objects.filter(created_at__lt=zone_end).count()
        cache.set(key, count, 600)
    return count


def _recurrences(filters: ReportFilters) -> dict[str, int] | None:
    """Cases received in the period that are recurrences of a problem marked fixed (the
    learning app's ProblemCase.recurrence); None while that app is not installed."""
    if not apps.is_installed("amends.learning"):
        return None
    problem_case = apps.get_model("learning", "ProblemCase")
    cases = _cases_in_dimensions(Case.objects.all(), filters)
    start, end = filters.moments()
    cases = cases.filter(
        Exists(problem_case.objects.filter(case=OuterRef("pk"), recurrence=True)),
        created_at__gte=start,
        created_at__lt=end,
    )
    out = dict.fromkeys(SPLITS, 0)
    for row in cases.values("vulnerable").annotate(n=Count("pk")).order_by():
        out[_split(row["vulnerable"])] += row["n"]
        out["all"] += row["n"]
    return out


def dashboard(filters: ReportFilters) -> Dashboard:
    names = filter_names()
    days = list(
        _rows(DailyCounts, filters).values("day", "vulnerable").annotate(**{c: Sum(c) for c in COUNTERS})
    )
    totals = _sum_by_split(days, COUNTERS)
    times: dict[str, dict[str, dict[int, int]]] = {
        m: {s: defaultdict(int) for s in SPLITS} for m in ("fr", "res")
    }
    for row in _rows(DailyTimes, filters).values("measure", "bucket", "vulnerable").annotate(n=Sum("count")):
        for split in ("all", _split(row["vulnerable"])):
            times[row["measure"]][split][row["bucket"]] += row["n"] or 0
    redress: dict[str, dict[str, tuple[int, int]]] = defaultdict(lambda: dict.fromkeys(SPLITS, (0, 0)))
    for row in (
        _rows(DailyRedress, filters)
        .values("currency", "vulnerable")
        .annotate(cases=Sum("cases"), cents=Sum("amount_cents"))
    ):
        for split in ("all", _split(row["vulnerable"])):
            cases, cents = redress[row["currency"]][split]
            redress[row["currency"]][split] = (cases + (row["cases"] or 0), cents + (row["cents"] or 0))
    redress = {k: v for k, v in sorted(redress.items()) if v["all"][0] or v["all"][1]}

    first_weekday = int(formats.get_format("FIRST_DAY_OF_WEEK"))
    week_rows: dict[date, dict] = {}
    for row in days:
        start = week_start(row["day"], first_weekday)
        week = week_rows.setdefault(start, {s: {"opened": 0, "resolved": 0} for s in SPLITS})
        for split in ("all", _split(row["vulnerable"])):
            week[split]["opened"] += row["opened"] or 0
            week[split]["resolved"] += row["resolved"] or 0
    weeks = []
    start = week_start(filters.start, first_weekday)
    while start <= filters.end:
        data = week_rows.get(start) or {s: {"opened": 0, "resolved": 0} for s in SPLITS}
        weeks.append(
            Bar(
                key=start,
                label=formats.date_format(max(start, filters.start), "SHORT_DATE_FORMAT"),
                counts={s: data[s]["opened"] for s in SPLITS},
                resolved={s: data[s]["resolved"] for s in SPLITS},
            )
        )
        start += timedelta(days=7)

    charts = _chart_rows(filters)
    categories = names["categories"]
    causes = names["root_causes"]
    channel_names = dict(Channel.choices)
    language_names = names["languages"]
    pareto = _pareto(_bars(charts["category"], "category_id", "opened", lambda k: categories.get(k, "")))
    root_causes = _pareto(_bars(charts["root_cause"], "root_cause_id", "closed", lambda k: causes.get(k, "")))
    channels = _bars(charts["channel"], "channel", "opened", lambda k: channel_names.get(k, k))
    languages = _bars(charts["language"], "language", "opened", lambda k: language_names.get(k, k))

    customers = customers_known(filters.end)
    recurrences = _recurrences(filters)
    figures = {}
    for split in SPLITS:
        t = totals[split]
        decided = t["upheld"] + t["partly_upheld"] + t["not_upheld"]
        values = {
            "opened": t["opened"],
            "per_thousand": _ratio(t["opened"] * 1000, customers) if split == "all" else None,
            "fr_median": quantile(times["fr"][split], 0.5),
            "fr_p90": quantile(times["fr"][split], 0.9),
            "fr_count": sum(times["fr"][split].values()),
            "res_median": quantile(times["res"][split], 0.5),
            "res_p90": quantile(times["res"][split], 0.9),
            "res_count": sum(times["res"][split].values()),
            "resolved": t["resolved"],
            "sla_met": _ratio(t["sla_met"], t["resolved"]),
            "promises": t["promises_kept"] + t["promises_broken"],
            "promises_kept": _ratio(t["promises_kept"], t["promises_kept"] + t["promises_broken"]),
            "answers": t["answers"],
            "rating": _ratio(t["rating_sum"], t["answers_rated"]),
            "dissatisfied": _ratio(t["dissatisfied"], t["answers"]),
            "reopened": t["reopened"],
            "reopen_rate": _ratio(t["reopened"], t["resolutions"]),
            "decided": decided,
            "uphold_rate": _ratio(t["upheld"] + t["partly_upheld"], decided),
            "recurrences": recurrences[split] if recurrences else None,
            "recurrence_rate": _ratio(recurrences[split], t["opened"]) if recurrences else None,
        }
        for name, value in values.items():
            figures.setdefault(name, Split())
            setattr(figures[name], split, value)
    return Dashboard(
        filters=filters,
        totals=totals,
        figures=figures,
        pareto=pareto,
        root_causes=root_causes,
        weeks=weeks,
        channels=channels,
        languages=languages,
        redress=redress,
        customers=customers,
        recurrence_available=recurrences is not None,
        names=names,
    )


def filter_names() -> dict[str, dict]:
    """Names for ids, in the active language, for the filters and the charts (four queries)."""
    return {
        "teams": {t.pk: t.name for t in Team.objects.order_by("name")},
        "agents": {
            u.pk: u.full_name
            for u in User.objects.filter(is_active=True).exclude(role="").order_by("full_name", "username")
        },
        "categories": {0: gettext("Not categorised"), **{c.pk: c.name for c in Category.objects.all()}},
        "root_causes": {
            0: gettext("No root cause recorded"),
            **{c.pk: c.name for c in RootCause.objects.all()},
        },
        "languages": {code: gettext(name) for code, name in settings.LANGUAGES},
    }


def products_known() -> list[str]:
    return list(
        DailyCounts.objects.filter(grouping=Grouping.PRODUCT)
        .exclude(product="")
        .values_list("product", flat=True)
        .distinct()
        .order_by("product")[:200]
    )


# -- the cases behind a figure ------------------------------------------------------------

# What each figure counts: the case list behind it uses the same definition.
FIGURES = (
    "opened",
    "responded",
    "resolved",
    "sla_met",
    "sla_missed",
    "upheld",
    "not_upheld",
    "redress",
    "closed",
    "reopened",
    "promises_kept",
    "promises_broken",
    "answers",
    "dissatisfied",
    "recurrences",
)


def _cases_in_dimensions(qs: QuerySet, filters: ReportFilters) -> QuerySet:
    lookups = {
        "team": "team_id",
        "agent": "owner_id",
        "channel": "channel",
        "language": "language",
        "category": "category_id",
        "product": "product",
    }
    for name, value in filters.dimensions.items():
        column = lookups[name]
        if value == 0 and column.endswith("_id"):
            qs = qs.filter(**{f"{column}__isnull": True})
        else:
            qs = qs.filter(**{column: value})
    if filters.vulnerable is not None:
        qs = qs.filter(vulnerable=filters.vulnerable)
    return qs


class UnknownFigure(ValueError):
    pass


def cases_behind(
    *, user, filters: ReportFilters, figure: str, by: str = "", value: str = ""
) -> QuerySet[Case]:
    """The cases a figure counts, with the dashboard's filters, among the cases `user` may see
    (cases_visible_to). `by`/`value` narrow to one bar: a category, root cause, channel,
    language, or the week starting on `value`."""
    if figure not in FIGURES:
        raise UnknownFigure(figure)
    if by == "week":
        # One week of the trend: the same figure over that week's days inside the period.
        try:
            first = date.fromisoformat(value)
        except ValueError:
            return Case.objects.none()
        week = replace(
            filters, start=max(first, filters.start), end=min(first + timedelta(days=6), filters.end)
        )
        return cases_behind(user=user, filters=week, figure=figure)
    start, end = filters.moments()
    qs = _cases_in_dimensions(cases_visible_to(user), filters)
    in_period = {"gte": start, "lt": end}

    def at(column: str) -> Q:
        return Q(**{f"{column}__{op}": moment for op, moment in in_period.items()})

    if figure == "opened":
        qs = qs.filter(at("created_at"))
    elif figure == "responded":
        qs = qs.filter(at("first_responded_at"))
    elif figure in ("resolved", "sla_met", "sla_missed", "upheld", "not_upheld", "redress"):
        qs = qs.filter(at("resolved_at"))
        if figure == "sla_met":
            qs = qs.filter(sla_breached=False)
        elif figure == "sla_missed":
            qs = qs.filter(sla_breached=True)
        elif figure == "upheld":
            qs = qs.filter(decision__in=(Decision.UPHELD, Decision.PARTLY_UPHELD))
        elif figure == "not_upheld":
            qs = qs.filter(decision=Decision.NOT_UPHELD)
        elif figure == "redress":
            qs = qs.filter(redress_amount__gt=0)
    elif figure == "closed":
        qs = qs.filter(at("closed_at"))
    elif figure == "reopened":
        qs = qs.filter(
            Exists(
                AuditEvent.objects.filter(
                    target_type="case",
                    target_id=OuterRef("pk"),
                    name=case_events.REOPENED,
                    created_at__gte=start,
                    created_at__lt=end,
                )
            )
        )
    elif figure in ("promises_kept", "promises_broken"):
        status = CommitmentStatus.KEPT if figure == "promises_kept" else CommitmentStatus.BROKEN
        qs = qs.filter(
            Exists(
                Commitment.objects.filter(
                    case=OuterRef("pk"), status=status, settled_at__gte=start, settled_at__lt=end
                )
            )
        )
    elif figure in ("answers", "dissatisfied"):
        answered = FollowUp.objects.filter(
            case=OuterRef("pk"), status=FollowUpStatus.ANSWERED, answered_at__gte=start, answered_at__lt=end
        )
        if figure == "dissatisfied":
            answered = answered.filter(Q(solved=False) | Q(rating__lte=2))
        qs = qs.filter(Exists(answered))
    elif figure == "recurrences":
        if not apps.is_installed("amends.learning"):
            return qs.none()
        problem_case = apps.get_model("learning", "ProblemCase")
        qs = qs.filter(
            at("created_at"), Exists(problem_case.objects.filter(case=OuterRef("pk"), recurrence=True))
        )

    if by and value != "":
        qs = _narrow(qs, by, value)
    return qs.order_by("-created_at", "-id")


def _narrow(qs: QuerySet, by: str, value: str) -> QuerySet:
    if by in ("category", "root_cause"):
        try:
            number = int(value)
        except ValueError:
            return qs.none()
        return qs.filter(**({f"{by}__isnull": True} if number == 0 else {f"{by}_id": number}))
    if by in ("channel", "language"):
        return qs.filter(**{by: value})
    return qs.none()
