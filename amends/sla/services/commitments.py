"""Commitments: the promises agents make to customers (R-TI-2, R-TI-3).

A promise is kept when the customer receives an update (a reply, a question or the
resolution) before it is due, or when its owner marks it done; the sweeper marks it broken
once it is due and still open, and escalates. Moving a promise needs a reason and tells the
customer at once, which is before the old deadline because a passed promise cannot be moved.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from amends.cases.models import Case, Message
from amends.core import clock
from amends.core.audit import record_event
from amends.core.errors import Conflict, DomainError
from amends.notify.services import customer_notify
from amends.reports.services.rollups import rollups_refresh
from amends.sla import events
from amends.sla.models import Commitment, CommitmentStatus
from amends.sla.schedule import business_calendar
from amends.sla.services.clocks import _calendar_for, policy_for

MOVE_REASON_MIN = 10  # characters: the customer reads it


def _check_due(*, case: Case, due_at: datetime, now: datetime) -> None:
    if timezone.is_naive(due_at):
        raise DomainError(
            _("The promised time has no time zone."), code="naive_datetime", field="promise_due"
        )
    if due_at <= now:
        raise DomainError(
            _("A promise must be for a time in the future."), code="promise_in_past", field="promise_due"
        )
    calendar = business_calendar(_calendar_for(case, policy_for(case)))
    if not calendar.is_open(due_at - timedelta(microseconds=1)):  # closing time itself is fine
        opening = calendar.next_opening(due_at)
        raise DomainError(
            _(
                "%(time)s is outside business hours: nobody would be at work to keep the promise. "
                "The next opening is %(opening)s."
            )
            % {
                "time": formats.date_format(timezone.localtime(due_at), "DATETIME_FORMAT"),
                "opening": formats.date_format(timezone.localtime(opening), "DATETIME_FORMAT"),
            },
            code="promise_outside_hours",
            field="promise_due",
        )


def _remind_at(due_at: datetime, now: datetime) -> datetime | None:
    remind = due_at - timedelta(minutes=settings.AMENDS_PROMISE_REMINDER_MINUTES)
    return remind if remind > now else None


def commitment_create(
    *, case: Case, owner: Any, due_at: datetime, message: Message | None = None, description: str = ""
) -> Commitment:
    """Record a promise. Call inside the service transaction that sends the message carrying it."""
    now = clock.now()
    _check_due(case=case, due_at=due_at, now=now)
    remind_at = _remind_at(due_at, now)
    commitment = Commitment.objects.create(
        case=case,
        owner=owner,
        # Counted for the case's team, or the owner's when the case has none yet.
        team_id=case.team_id or owner.teams.values_list("pk", flat=True).order_by("pk").first(),
        message=message,
        description=description[:300],
        due_at=due_at,
        remind_at=remind_at,
        created_at=now,
        next_check_at=remind_at or due_at,
    )
    record_event(
        name=events.PROMISE_MADE,
        target=case,
        actor=owner,
        data={"commitment": str(commitment.public_id), "due_at": due_at.isoformat()},
    )
    return commitment


def commitments_keep_on_update(*, case: Case, actor: Any) -> int:
    """The customer has just been sent an update: every open promise on the case is kept."""
    now = clock.now()
    kept = list(case.commitments.select_for_update().filter(status=CommitmentStatus.OPEN, due_at__gte=now))
    for commitment in kept:
        _settle(commitment, CommitmentStatus.KEPT, actor=actor, now=now)
    return len(kept)


def _settle(commitment: Commitment, status: str, *, actor: Any, now: datetime) -> None:
    commitment.status = status
    commitment.settled_at = now
    commitment.next_check_at = None
    commitment.save(update_fields=["status", "settled_at", "next_check_at"])
    record_event(
        name=events.PROMISE_KEPT if status == CommitmentStatus.KEPT else events.PROMISE_BROKEN,
        target=commitment.case,
        actor=actor,
        data={"commitment": str(commitment.public_id), "due_at": commitment.due_at.isoformat()},
    )


def _locked_open(commitment: Commitment) -> Commitment:
    commitment = (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("case", "owner")
        .get(pk=commitment.pk)
    )
    if commitment.status != CommitmentStatus.OPEN:
        raise Conflict(_("This promise is no longer open."), code="promise_settled")
    return commitment


@transaction.atomic
def commitment_mark_done(*, commitment: Commitment, actor: Any) -> Commitment:
    """The promised action was done (e.g. the refund was paid) without a message to send."""
    commitment = _locked_open(commitment)
    now = clock.now()
    if now > commitment.due_at:
        raise Conflict(
            _("This promise was due already; it can no longer be marked kept."), code="promise_late"
        )
    _settle(commitment, CommitmentStatus.KEPT, actor=actor, now=now)
    rollups_refresh(case_ids=[commitment.case_id])
    return commitment


@transaction.atomic
def commitment_move(*, commitment: Commitment, due_at: datetime, reason: str, actor: Any) -> Commitment:
    """Give the customer a new time, with the reason, before the old one passes."""
    commitment = _locked_open(commitment)
    now = clock.now()
    reason = reason.strip()
    if now >= commitment.due_at:
        raise Conflict(
            _("The promised time has passed: the promise is broken and can no longer be moved."),
            code="promise_late",
        )
    if len(reason) < MOVE_REASON_MIN:
        raise DomainError(
            _("Tell the customer why the time changes (at least %(count)d characters).")
            % {"count": MOVE_REASON_MIN},
            code="reason_required",
            field="reason",
        )
    _check_due(case=commitment.case, due_at=due_at, now=now)
    old_due = commitment.due_at
    commitment.due_at = due_at
    commitment.remind_at = _remind_at(due_at, now)
    commitment.reminded_at = None
    commitment.times_moved += 1
    commitment.next_check_at = commitment.remind_at or due_at
    commitment.save(update_fields=["due_at", "remind_at", "reminded_at", "times_moved", "next_check_at"])
    record_event(
        name=events.PROMISE_MOVED,
        target=commitment.case,
        actor=actor,
        data={
            "commitment": str(commitment.public_id),
            "from": old_due.isoformat(),
            "to": due_at.isoformat(),
            "reason": reason,
        },
    )
    customer_notify(
        case=commitment.case,
        event="promise_moved",
        context={
            "old_due": old_due,
            "new_due": due_at,
            "reason": reason,
            "owner_name": commitment.owner.full_name,
        },
    )
    return commitment
