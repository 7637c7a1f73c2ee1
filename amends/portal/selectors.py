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
from amends.core import clock
from amends.portal.session import Viewer
from amends.sla.models import FollowUp, FollowUpStatus
from amends.sla.selectors import commitment_list_for_case, followup_latest_for_case


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
    (oldest first), the promises made to the customer (soonest first) and the satisfaction
    check, when there is one to answer or an answer to show."""

    case: Case
    messages: list[Message]
    promises: list
    followup: FollowUp | None = None

    @property
    def followup_open(self) -> bool:
        return self.followup is not None and self.followup.status == FollowUpStatus.SENT


def portal_followup_for_case(*, case: Case) -> FollowUp | None:
    """The satisfaction check of the case's latest resolution, if the customer can answer it
    now (sent, not past its expiry) or has answered it; None otherwise (not sent yet, expired,
    cancelled because the case became active again)."""
    latest = followup_latest_for_case(case_id=case.pk)
    if latest is None:
        return None
    if latest.status == FollowUpStatus.ANSWERED:
        return latest
    not_expired = latest.expires_at is None or latest.expires_at > clock.now()
    if latest.status == FollowUpStatus.SENT and not_expired:
        return latest
    return None


def portal_case_folder(*, viewer: Viewer, public_id: UUID | str) -> CaseFolder:
    case = portal_case_get(viewer=viewer, public_id=public_id)
    return CaseFolder(
        case=case,
        # The page shows `author_name`: the author's user row is not needed.
        messages=list(case_public_messages(case=case).select_related(None)),
        promises=list(commitment_list_for_case(case_id=case.pk).order_by("due_at", "id")),
        followup=portal_followup_for_case(case=case),
    )


def portal_attachment_get(*, viewer: Viewer, public_id: UUID | str) -> Attachment:
    return attachment_get_for_customer(
        customer_id=viewer.customer_id, public_id=public_id, case_ids=viewer.case_ids
    )
