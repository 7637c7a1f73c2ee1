"""Reads for the customer portal, always through the signed-in customer (the `Viewer`).

What a customer never sees: internal notes (and their attachments), audit events, SLA clocks,
escalations, other customers' cases.
"""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import QuerySet

from amends.cases.models import Attachment, Case, Message
from amends.cases.selectors import (
    attachment_get_for_customer,
    case_get_for_customer,
    case_list_for_customer,
    case_public_messages,
)
from amends.portal.session import Viewer
from amends.sla.selectors import commitment_list_for_case


def portal_case_list(*, viewer: Viewer) -> QuerySet[Case]:
    return case_list_for_customer(customer_id=viewer.customer_id, case_ids=viewer.case_ids)


def portal_case_get(*, viewer: Viewer, public_id: UUID | str) -> Case:
    """One case of the viewer's; another customer's or unknown → 404, the same answer."""
    return case_get_for_customer(
        customer_id=viewer.customer_id, public_id=public_id, case_ids=viewer.case_ids
    )


@dataclass(frozen=True)
class CaseFolder:
    """Everything the case page shows: the case, its public messages with their attachments
    (oldest first) and the promises made to the customer (soonest first)."""

    case: Case
    messages: list[Message]
    promises: list


def portal_case_folder(*, viewer: Viewer, public_id: UUID | str) -> CaseFolder:
    case = portal_case_get(viewer=viewer, public_id=public_id)
    return CaseFolder(
        case=case,
        messages=list(case_public_messages(case=case)),
        promises=list(commitment_list_for_case(case_id=case.pk).order_by("due_at", "id")),
    )


def portal_attachment_get(*, viewer: Viewer, public_id: UUID | str) -> Attachment:
    return attachment_get_for_customer(
        customer_id=viewer.customer_id, public_id=public_id, case_ids=viewer.case_ids
    )
