"""Reads of received email for the desk."""

from django.db.models import QuerySet

from amends.mail.models import InboundMail, InboundStatus


def held_list_for_case(*, case_id: int) -> QuerySet[InboundMail]:
    """Replies to this case from addresses that are not the customer's, waiting for an agent."""
    return (
        InboundMail.objects.filter(case_id=case_id, status=InboundStatus.HELD)
        .defer("raw")
        .order_by("received_at", "pk")
    )


def held_get_for_case(*, case_id: int, pk) -> InboundMail:
    return InboundMail.objects.defer("raw").get(case_id=case_id, status=InboundStatus.HELD, pk=int(pk))


def inbound_for_message(*, case_id: int, message_id: int) -> InboundMail | None:
    """The received email a case message came from (for "show the whole email")."""
    return InboundMail.objects.filter(case_id=case_id, case_message_id=message_id).first()
