"""Escalations: telling the owner, the team lead or a manager that a case needs attention.

Each escalation is a row (the leads' "needs attention" view reads the open ones), an audit
event on the case and a mail to each person told, all in the caller's transaction.
"""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from amends.accounts.models import Role, User
from amends.cases.models import Case
from amends.core import clock
from amends.core.audit import record_event
from amends.core.errors import DomainError
from amends.notify.services import staff_notify
from amends.sla import events
from amends.sla.models import CaseClock, ClockKind, Commitment, Escalation, EscalationReason, Recipient

MANAGER_REQUEST_MIN = 3  # characters of reason: "the customer asked" is not a reason


def recipients_for(*, case: Case, recipient: str) -> list[User]:
    """The people behind a recipient role: the owner, the team's leads, or the managers."""
    if recipient == Recipient.OWNER:
        return [case.owner] if case.owner_id and case.owner.is_active else []
    if recipient == Recipient.LEAD:
        leads = User.objects.filter(is_active=True, role=Role.LEAD)
        if case.team_id:
            in_team = list(leads.filter(teams=case.team_id))
            if in_team:
                return in_team
        return list(leads) or list(User.objects.filter(is_active=True, role=Role.ADMIN))
    return list(User.objects.filter(is_active=True, role=Role.ADMIN))


def escalation_raise(
    *,
    case: Case,
    reason: str,
    recipient: str,
    clock_row: CaseClock | None = None,
    commitment: Commitment | None = None,
    percent: int | None = None,
    note: str = "",
    actor: Any = None,
    at: datetime | None = None,
) -> Escalation:
    """Record the escalation on the case and mail each person it reaches. The Escalation row is
    the case's record of it (the timeline shows it); no separate audit event repeats it."""
    at = at or clock.now()
    escalation = Escalation.objects.create(
        case=case,
        clock=clock_row,
        commitment=commitment,
        reason=reason,
        recipient=recipient,
        percent=percent,
        note=note,
        created_at=at,
        notified_at=at,  # mailed right below, not through the digest task
    )
    people = recipients_for(case=case, recipient=recipient)
    context = {
        "reason_label": EscalationReason(reason).label,
        "clock_label": _clock_label(clock_row),
        "due_at": clock_row.due_at if clock_row else (commitment.due_at if commitment else None),
        "owner_name": case.owner.full_name if case.owner_id else "",
        "note": note,
    }
    for person in people:
        staff_notify(case=case, user=person, event="escalated", context=context)
    return escalation


def _clock_label(clock_row: CaseClock | None):
    """The clock's name, lazy where it can be, so each recipient reads it in their language."""
    if clock_row is None:
        return ""
    if clock_row.regime_clock_id:
        from amends.sla.selectors import clock_label

        return clock_label(clock_row)
    return ClockKind(clock_row.kind).label


@transaction.atomic
def case_manager_request(*, case: Case, actor: Any, reason: str) -> Escalation:
    """The customer asked to speak to a manager (R-EM-2): the lead hears at once, with why."""
    reason = reason.strip()
    if len(reason) < MANAGER_REQUEST_MIN:
        raise DomainError(
            _("Write what the customer said and why they want a manager."),
            code="reason_required",
            field="reason",
        )
    return escalation_raise(
        case=case,
        reason=EscalationReason.MANAGER_REQUESTED,
        recipient=Recipient.LEAD,
        note=reason,
        actor=actor,
    )


@transaction.atomic
def escalation_handle(*, escalation: Escalation, actor: Any) -> Escalation:
    """A lead has dealt with it: it leaves the needs-attention list (the audit keeps it)."""
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.handled_at is None:
        escalation.handled_at = clock.now()
        escalation.handled_by = actor
        escalation.save(update_fields=["handled_at", "handled_by"])
        record_event(
            name=events.ESCALATION_HANDLED,
            target=escalation.case,
            actor=actor,
            data={"reason": escalation.reason},
        )
    return escalation


@transaction.atomic
def escalation_digests_send(*, escalation_ids: list[int]) -> int:
    """Mail each person one digest of the escalations that reached them (the sweeper's batch).

    Idempotent: rows are locked and marked ``notified_at``, so a task that runs twice mails
    once. Returns the number of digests queued.
    """
    rows = list(
        Escalation.objects.select_for_update(of=("self",))
        .filter(pk__in=escalation_ids, notified_at__isnull=True)
        .select_related("case", "case__owner", "clock__regime_clock__regime", "commitment")
        .order_by("pk")
    )
    if not rows:
        return 0
    people: dict[int, User] = {}
    items: dict[int, list[dict[str, Any]]] = {}
    leads: dict[tuple[str, int | None], list[User]] = {}
    for escalation in rows:
        case = escalation.case
        key = (escalation.recipient, case.team_id if escalation.recipient != Recipient.OWNER else case.pk)
        if key not in leads:
            leads[key] = recipients_for(case=case, recipient=escalation.recipient)
        clock_row = escalation.clock
        due = (
            clock_row.due_at
            if clock_row
            else (escalation.commitment.due_at if escalation.commitment else None)
        )
        for person in leads[key]:
            people[person.pk] = person
            items.setdefault(person.pk, []).append(
                {
                    "reference": case.reference,
                    "public_id": case.public_id,
                    # Lazy labels: rendered in each recipient's language by staff_notify.
                    "reason": EscalationReason(escalation.reason).label,
                    "clock": _clock_label(clock_row),
                    "due_at": due,
                }
            )
    for pk, entries in items.items():
        staff_notify(user=people[pk], event="digest", context={"items": entries})
    Escalation.objects.filter(pk__in=[e.pk for e in rows]).update(notified_at=clock.now())
    return len(items)
