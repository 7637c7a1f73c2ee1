"""How the sweeper picks due rows.

PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` ordered by primary key, so concurrent sweepers
split the due rows between them and never wait for each other or for a lifecycle service.
SQLite has no row locks: Django drops ``select_for_update`` there, and the write transaction
(``BEGIN IMMEDIATE``, settings) lets one writer in at a time, which gives the same guarantee.
"""

from datetime import datetime

from amends.sla.models import CaseClock, Commitment, FollowUp


def due_clocks(*, now: datetime, limit: int) -> list[CaseClock]:
    """Due clocks, locked for the current transaction, with what the sweep reads joined in."""
    return list(
        CaseClock.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("case", "case__owner", "calendar", "policy")
        .filter(next_check_at__lte=now)
        .order_by("pk")[:limit]
    )


def due_commitment_ids(*, now: datetime, limit: int = 1000) -> list[tuple[int, int]]:
    """(commitment id, case id) pairs due by ``now``; each is locked later, case first."""
    return list(
        Commitment.objects.filter(next_check_at__lte=now).order_by("pk").values_list("pk", "case_id")[:limit]
    )


def due_followup_ids(*, now: datetime, limit: int = 1000) -> list[tuple[int, int]]:
    return list(
        FollowUp.objects.filter(next_check_at__lte=now).order_by("pk").values_list("pk", "case_id")[:limit]
    )
