"""Reads for the desk and reports: live clocks, promises, escalations, kept/broken counts."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from amends.core import clock
from amends.sla.models import (
    ACTIVE_CLOCK_STATES,
    CaseClock,
    ClockKind,
    ClockState,
    Commitment,
    CommitmentStatus,
    Escalation,
    FollowUp,
)
from amends.sla.schedule import span_for


@dataclass(frozen=True)
class ClockView:
    """What a person needs to see of one clock, computed at ``now``."""

    label: str
    kind: str
    regulated: bool
    state: str
    level: str  # "ok", "warn" (amber), "breach" (red), "paused", "met", "missed", "stopped"
    due_at: datetime | None
    remaining: timedelta | None  # business (or wall-clock) time left; negative once overdue
    business_time: bool
    percent_used: int

    @property
    def unit(self) -> str:
        """How to show the remaining time: business hours, or days for calendar-time clocks."""
        return "hours" if self.business_time else "days"


def clock_label(item: CaseClock) -> str:
    """The clock's name in the reader's language. Regime and clock names are admin data;
    the shipped presets are in the catalogue (sla/presets.py), edited ones show as typed."""
    rc = item.regime_clock
    if rc is not None:
        return _regulated_label_lazy(rc.regime.name, rc.name)
    return item.label or ClockKind(item.kind).label


def _regulated_label(regime: str, clock_name: str) -> str:
    return _("%(regime)s: %(clock)s") % {"regime": _(regime), "clock": _(clock_name)}


# Lazy: a digest mail renders the label in its reader's language, not the worker's.
_regulated_label_lazy = lazy(_regulated_label, str)


def clock_view(item: CaseClock, now: datetime) -> ClockView:
    span = span_for(item.calendar, business_time=item.business_time)
    used = item.consumed_seconds
    if item.state == ClockState.RUNNING:
        used += int(span.elapsed(item.segment_started_at, now).total_seconds())
    percent = used * 100 // max(item.target_seconds, 1)
    remaining = None
    if item.state in ACTIVE_CLOCK_STATES:
        remaining = timedelta(seconds=item.target_seconds - used)
    if item.state == ClockState.RUNNING:
        level = "breach" if percent >= 100 else "warn" if percent >= item.warn_percent else "ok"
    else:
        level = {ClockState.CANCELLED: "stopped"}.get(item.state, str(item.state))
    return ClockView(
        label=clock_label(item),
        kind=item.kind,
        regulated=item.kind == ClockKind.REGULATED,
        state=item.state,
        level=level,
        due_at=item.due_at,
        remaining=remaining,
        business_time=item.business_time,
        percent_used=percent,
    )


def clock_views_for_case(*, case_id: int, now: datetime | None = None) -> list[ClockView]:
    """Every clock of a case: running ones first, then the history."""
    now = now or clock.now()
    rows = (
        CaseClock.objects.filter(case_id=case_id)
        .select_related("calendar", "regime_clock__regime")
        .order_by("started_at", "pk")
    )
    views = [clock_view(item, now) for item in rows]
    return sorted(views, key=lambda v: (v.state not in ACTIVE_CLOCK_STATES, v.regulated))


def next_clock_by_case(*, case_ids: Iterable[int], now: datetime | None = None) -> dict[int, ClockView]:
    """For queue rows: the running clock due soonest on each case (one query for the page)."""
    now = now or clock.now()
    rows = (
        CaseClock.objects.filter(case_id__in=list(case_ids), state=ClockState.RUNNING)
        .select_related("calendar", "regime_clock__regime")
        .order_by("due_at")
    )
    found: dict[int, ClockView] = {}
    for item in rows:
        if item.case_id not in found:
            found[item.case_id] = clock_view(item, now)
    return found


def commitment_list_for_case(*, case_id: int) -> QuerySet[Commitment]:
    return Commitment.objects.filter(case_id=case_id).select_related("owner").order_by("-created_at", "-id")


def commitment_get_for_case(*, case_id: int, public_id) -> Commitment:
    return Commitment.objects.select_related("case", "owner").get(case_id=case_id, public_id=public_id)


def commitment_counts(*, by: str, since: datetime | None = None) -> dict[int, dict[str, int]]:
    """Kept and broken promises per agent (``by="owner"``) or per team (``by="team"``)."""
    field = {"owner": "owner_id", "team": "team_id"}[by]
    rows = Commitment.objects.filter(status__in=[CommitmentStatus.KEPT, CommitmentStatus.BROKEN])
    if since is not None:
        rows = rows.filter(due_at__gte=since)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"kept": 0, "broken": 0})
    for row in rows.values(field).annotate(
        kept=Count("pk", filter=Q(status=CommitmentStatus.KEPT)),
        broken=Count("pk", filter=Q(status=CommitmentStatus.BROKEN)),
    ):
        if row[field] is not None:
            counts[row[field]] = {"kept": row["kept"], "broken": row["broken"]}
    return dict(counts)


def commitment_summary(*, by: str, since: datetime) -> list[dict]:
    """Kept and broken promises due since ``since``, per agent or team, with names, worst first."""
    name = {"owner": "owner__full_name", "team": "team__name"}[by]
    rows = (
        Commitment.objects.filter(
            status__in=[CommitmentStatus.KEPT, CommitmentStatus.BROKEN], due_at__gte=since
        )
        .values(name)
        .annotate(
            kept=Count("pk", filter=Q(status=CommitmentStatus.KEPT)),
            broken=Count("pk", filter=Q(status=CommitmentStatus.BROKEN)),
        )
    )
    table = [{"name": row[name] or "—", "kept": row["kept"], "broken": row["broken"]} for row in rows]
    for row in table:
        row["kept_percent"] = round(100 * row["kept"] / (row["kept"] + row["broken"]))
    return sorted(table, key=lambda r: (r["kept_percent"], r["name"]))


def escalation_list_open(*, user, limit: int = 200) -> QuerySet[Escalation]:
    """The needs-attention list: unhandled escalations for a lead's teams (all, for admins)."""
    return _escalations_open(user).order_by("-created_at", "-id")[:limit]


def _escalations_open(user) -> QuerySet[Escalation]:
    if not user.is_lead:
        return Escalation.objects.none()
    rows = Escalation.objects.filter(handled_at__isnull=True).select_related(
        "case", "case__owner", "case__team", "clock__regime_clock__regime", "commitment"
    )
    if not (user.is_admin_role or user.is_superuser):
        teams = list(user.teams.values_list("pk", flat=True))
        rows = rows.filter(Q(case__team_id__in=teams) | Q(case__team__isnull=True))
    return rows


def escalation_get_open(*, user, pk) -> Escalation:
    """One open escalation the user may handle; anything else is a 404."""
    try:
        return _escalations_open(user).get(pk=int(pk))
    except (Escalation.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def escalation_list_for_case(*, case_id: int) -> QuerySet[Escalation]:
    return (
        Escalation.objects.filter(case_id=case_id)
        .select_related("handled_by", "clock__regime_clock__regime")
        .order_by("created_at", "id")
    )


def followup_latest_for_case(*, case_id: int) -> FollowUp | None:
    return FollowUp.objects.filter(case_id=case_id).order_by("-send_at", "-id").first()
