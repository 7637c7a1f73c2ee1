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
from amends.sla.models import CaseClock, Commitment, Escalation, EscalationReason, Recipient

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


def escalation_event_data(
    *, reason: str, recipient: str, percent: int | None, clock_row: CaseClock | None, people, note: str = ""
) -> dict[str, Any]:
    """What the audit event of an escalation keeps (the timeline shows the reason)."""
    return {
        "reason": reason,
        "recipient": recipient,
        "percent": percent,
        "clock": clock_row.kind if clock_row else None,
        "told": [p.full_name for p in people],
        "note": note,
    }


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
    """Record the escalation, write it on the case and mail each person it reaches."""
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
    )
    people = recipients_for(case=case, recipient=recipient)
    record_event(
        name=events.ESCALATED,
        target=case,
        actor=actor,
        data=escalation_event_data(
            reason=reason, recipient=recipient, percent=percent, clock_row=clock_row, people=people, note=note
        ),
    )
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


def _clock_label(clock_row: CaseClock | None) -> str:
    if clock_row is None:
        return ""
    return clock_row.label or str(clock_row.get_kind_display())


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
