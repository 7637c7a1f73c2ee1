"""Requests a customer makes about their own case from the portal."""

from django.db import transaction
from django.utils.translation import gettext as _

from amends.cases.choices import Channel
from amends.cases.models import Case, Message
from amends.cases.services.lifecycle import case_customer_message
from amends.core.audit import record_event
from amends.core.errors import DomainError
from amends.sla.services.escalations import MANAGER_REQUEST_MIN, case_manager_request

# The audit name of the customer's own request (the desk's "The customer asks for a manager"
# is an agent's act and writes only the escalation).
MANAGER_REQUESTED = "cases.manager_requested"


@transaction.atomic
def case_customer_manager_request(*, case: Case, reason: str, channel: str = Channel.WEB) -> Message:
    """The customer asks to speak to a manager (R-EM-2).

    Their reason is stored verbatim as a message from them (so the case reopens if it was
    waiting or resolved, as any customer message does), the request is audited, and the
    team lead is escalated to and mailed at once with the reason. A closed case refuses, as it
    refuses any customer message.
    """
    if len(reason.strip()) < MANAGER_REQUEST_MIN:
        raise DomainError(
            _("Please tell us in a few words why you would like to speak to a manager."),
            code="reason_required",
            field="reason",
        )
    message = case_customer_message(case=case, body=reason, channel=channel)
    record_event(
        name=MANAGER_REQUESTED,
        target=case,
        actor_label="customer",
        data={"message": str(message.public_id), "channel": channel},
    )
    case_manager_request(case=message.case, actor=None, reason=reason)
    return message
