"""How the sweeper picks due rows.

PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` ordered by primary key, so concurrent sweepers
split the due rows between them and never wait for each other or for a lifecycle service.
SQLite has no row locks: Django drops ``select_for_update`` there, and the write transaction
(``BEGIN IMMEDIATE``, settings) lets one writer in at a time, which gives the same guarantee.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from amends.sla.models import CaseClock, Commitment, FollowUp


class CalendarKey(NamedTuple):
    """Enough of a Calendar row for schedule.business_calendar's cache."""

    pk: int
    updated_at: datetime


class OwnerRef(NamedTuple):
    pk: int
    is_active: bool
    full_name: str


@dataclass(slots=True)
class DueClock:
    """A due CaseClock as the sweeper reads it: plain values, no model instances (building
    thousands of those was a third of a sweep's time, docs/performance.md). Carries the
    attribute names services.clocks reads from a CaseClock."""

    pk: int
    case_id: int
    kind: str
    state: str
    is_window: bool
    warn_percent: int
    policy_id: int | None
    reminder_minutes: int | None
    target_seconds: int
    consumed_seconds: int
    segment_started_at: datetime
    due_at: datetime | None
    breached_at: datetime | None
    escalated_percent: int
    stopped_at: datetime | None
    next_check_at: datetime | None
    business_time: bool
    calendar: CalendarKey | None
    case_status: str
    team_id: int | None
    owner: OwnerRef | None


_COLUMNS = (
    "pk",
    "case_id",
    "kind",
    "state",
    "is_window",
    "warn_percent",
    "policy_id",
    "policy__reminder_minutes",
    "target_seconds",
    "consumed_seconds",
    "segment_started_at",
    "due_at",
    "breached_at",
    "escalated_percent",
    "stopped_at",
    "next_check_at",
    "business_time",
    "calendar_id",
    "calendar__updated_at",
    "case__status",
    "case__team_id",
    "case__owner_id",
    "case__owner__is_active",
    "case__owner__full_name",
)


def due_clocks(*, now: datetime, limit: int) -> list[DueClock]:
    """Due clocks, locked for the current transaction, with what the sweep reads joined in."""
    rows = (
        CaseClock.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(next_check_at__lte=now)
        .order_by("pk")
        .values_list(*_COLUMNS)[:limit]
    )
    found = []
    for row in rows:
        calendar = CalendarKey(row[17], row[18]) if row[17] else None
        owner = OwnerRef(row[21], row[22], row[23]) if row[21] else None
        found.append(DueClock(*row[:17], calendar, row[19], row[20], owner))
    return found


def due_commitment_ids(*, now: datetime, limit: int = 1000) -> list[tuple[int, int]]:
    """(commitment id, case id) pairs due by ``now``; each is locked later, case first."""
    return list(
        Commitment.objects.filter(next_check_at__lte=now).order_by("pk").values_list("pk", "case_id")[:limit]
    )


def due_followup_ids(*, now: datetime, limit: int = 1000) -> list[tuple[int, int]]:
    return list(
        FollowUp.objects.filter(next_check_at__lte=now).order_by("pk").values_list("pk", "case_id")[:limit]
    )
