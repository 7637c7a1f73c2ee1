"""Reads of received email for the desk."""

from django.db.models import QuerySet
from django.http import Http404

from amends.mail.models import InboundMail, InboundStatus
from amends.mail.parsing import ParsedMail, parse
from amends.mail.store import inbound_raw


def held_list_for_case(*, case_id: int) -> QuerySet[InboundMail]:
    """Replies to this case from addresses that are not the customer's, waiting for an agent."""
    return (
        InboundMail.objects.filter(case_id=case_id, status=InboundStatus.HELD)
        .defer("raw")
        .order_by("received_at", "pk")
    )


def held_get_for_case(*, case_id: int, pk) -> InboundMail:
    return InboundMail.objects.defer("raw").get(case_id=case_id, status=InboundStatus.HELD, pk=int(pk))


def inbound_get_for_case_message(*, case_id: int, message_public_id) -> InboundMail:
    """The received email a case message came from ("show the whole email"); 404 otherwise."""
    try:
        return InboundMail.objects.defer("raw").get(
            case_id=case_id, case_message__public_id=message_public_id
        )
    except (InboundMail.DoesNotExist, InboundMail.MultipleObjectsReturned, ValueError) as exc:
        raise Http404 from exc


def inbound_original(*, mail: InboundMail) -> ParsedMail:
    """The whole email as received, parsed again from the raw bytes (quoted history included)."""
    return parse(inbound_raw(mail_id=mail.pk))
