"""Inbound email: store the raw bytes first, then parse, thread and hand over to the case
lifecycle (docs/subsystems/mail.md).

``inbound_store`` is what every way in calls (mailgate, the SMTP listener, the IMAP poller).
It commits the exact bytes and the processing task in one short transaction and only then
does the caller say "accepted" (RFC 5321 §6.1). ``inbound_process`` runs in the worker; a
message it cannot handle becomes "unprocessable" with the error, for an admin to look at and
process again: nothing is dropped.
"""

import hashlib
import logging
import re
import traceback
from datetime import timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from amends.cases.choices import Channel
from amends.cases.models import Case
from amends.cases.services.attachments import attachments_check
from amends.cases.services.intake import case_open
from amends.cases.services.lifecycle import case_customer_message
from amends.core import clock
from amends.core.audit import record_event
from amends.core.errors import DomainError, InvalidTransition
from amends.customers.models import CustomerIdentity, IdentityKind
from amends.mail import events
from amends.mail.models import InboundMail, InboundStatus
from amends.mail.parsing import ParsedMail, parse
from amends.notify.models import Notification, NotificationStatus

logger = logging.getLogger(__name__)

# "[AM-7K3Q9X]" (our subjects), also "[#AM-7K3Q9X]" and "AM 7K3Q9X" typed by hand in brackets.
REFERENCE_TAG = re.compile(r"\[\s*#?\s*(AM[-\s]?[0-9A-Z]{6})\s*\]", re.IGNORECASE)
RETRY_AFTER = timedelta(minutes=5)  # a "stored" row this old lost its task: queue it again


class MailTooLarge(Exception):
    """Over AMENDS_MAIL_MAX_BYTES: refused before anything is stored (SMTP 552)."""


def _header_message_id(raw: bytes) -> str:
    """The Message-ID from the header block only: cheap, and it never fails on a bad body."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw[: 256 * 1024], headersonly=True)
        value = str(headers.get("Message-ID", "") or "")
    except Exception:  # a header block we cannot read still gets stored
        return ""
    return value.strip().strip("<>").strip()[:998]


def inbound_store(
    *, raw: bytes, via: str, envelope_from: str = "", envelope_to: list[str] | None = None, mailbox: str = ""
) -> tuple[InboundMail, bool]:
    """Commit one received message and its processing task. Returns (row, created).

    The same bytes with the same Message-ID are stored once (MTA retries, IMAP and SMTP both);
    a different message that reuses a Message-ID is kept as well. Raises MailTooLarge, and
    any database error, before anything is committed: the caller must then not accept.
    """
    if len(raw) > settings.AMENDS_MAIL_MAX_BYTES:
        raise MailTooLarge(len(raw))
    from amends.mail.tasks import inbound_process_task

    digest = hashlib.sha256(raw).hexdigest()
    message_id = _header_message_id(raw)
    try:
        with transaction.atomic():
            row, created = InboundMail.objects.get_or_create(
                message_id=message_id,
                sha256=digest,
                defaults={
                    "raw": raw,
                    "size": len(raw),
                    "via": via,
                    "envelope_from": envelope_from[:998],
                    "envelope_to": "\n".join(envelope_to or []),
                    "mailbox": mailbox[:200],
                    "received_at": clock.now(),
                },
            )
            if created:
                inbound_process_task.enqueue(mail_id=row.pk)
    except IntegrityError:  # the same message arrived twice at the same moment
        row, created = InboundMail.objects.get(message_id=message_id, sha256=digest), False
    return row, created


def inbound_process(*, mail_id: int) -> str:
    """Parse, thread and take in one stored message; returns its new status.

    Runs once per row (a lock and the status check make a second task a no-op). Any failure
    rolls the work back and leaves the row "unprocessable" with the error.
    """
    try:
        with transaction.atomic():
            row = InboundMail.objects.select_for_update().filter(pk=mail_id).first()
            if row is None or row.status != InboundStatus.STORED:
                return row.status if row else ""
            row.attempts += 1
            _process(row)
            row.processed_at = clock.now()
            row.save()
            return row.status
    except Exception as exc:  # everything goes to the admin's list, nothing is dropped
        logger.exception("inbound mail %s could not be processed", mail_id)
        InboundMail.objects.filter(pk=mail_id).update(
            status=InboundStatus.UNPROCESSABLE,
            error="".join(traceback.format_exception_only(exc)).strip()[:4000],
            attempts=F("attempts") + 1,
        )
        return InboundStatus.UNPROCESSABLE


def _process(row: InboundMail) -> None:
    parsed = parse(bytes(row.raw))
    row.warnings = parsed.warnings[:50]
    row.from_address = parsed.from_address[:254]
    row.subject = parsed.subject[:500]
    if parsed.bounce:
        _bounce(row, parsed)
        return
    case = thread_case(parsed)
    if case is not None:
        row.case = case
        if parsed.automatic:
            row.status = InboundStatus.IGNORED  # an out-of-office reply must not reopen a case
            return
        if not is_participant(case=case, address=parsed.from_address):
            row.status = InboundStatus.HELD  # spoofed or forwarded: an agent decides
            return
        try:
            row.case_message = case_customer_message(
                case=case,
                body=_body(parsed),
                channel=Channel.EMAIL,
                attachments=_attachments(parsed, row),
                email_message_id=parsed.message_id,
            )
            row.status = InboundStatus.PROCESSED
            return
        except InvalidTransition:
            pass  # a closed case takes no new messages: the mail opens a new case below
    if parsed.automatic:
        row.status = InboundStatus.IGNORED
        return
    case = case_open(
        channel=Channel.EMAIL,
        body=_body(parsed),
        full_name=parsed.from_name,
        email=parsed.from_address,
        language=parsed.language or "en",
        subject=parsed.subject,
        attachments=_attachments(parsed, row),
        intake_key=f"mail:{row.sha256}:{row.message_id}",
        actor_label="email",
        acknowledge=_may_acknowledge(parsed.from_address),
        email_message_id=parsed.message_id,
    )
    row.case = case
    row.case_message = case.messages.order_by("pk").first()
    row.status = InboundStatus.PROCESSED


def _body(parsed: ParsedMail) -> str:
    return (parsed.text or parsed.full_text).strip() or _("(The email had no text.)")


def _attachments(parsed: ParsedMail, row: InboundMail) -> list[SimpleUploadedFile]:
    """The attachments the case may keep; each one refused (type, size, count) becomes a
    warning on the stored mail instead of failing the whole message."""
    kept: list[SimpleUploadedFile] = []
    for item in parsed.attachments:
        upload = SimpleUploadedFile(item.filename, item.data, content_type=item.content_type)
        try:
            attachments_check([*kept, upload])
        except DomainError as refused:
            row.warnings = [*row.warnings, f"attachment {item.filename!r} not kept: {refused}"][:50]
            continue
        kept.append(upload)
    for upload in kept:
        upload.seek(0)
    return kept


def _may_acknowledge(address: str) -> bool:
    """At most AMENDS_MAIL_ACK_CAP acknowledgements a day to one address: a loop or a flood of
    mails from one sender must not turn into a flood of our mails."""
    since = clock.now() - timedelta(days=1)
    sent = Notification.objects.filter(
        event="received", to_address=address, created_at__gte=since, recipient__isnull=True
    ).count()
    return sent < settings.AMENDS_MAIL_ACK_CAP


def thread_case(parsed: ParsedMail) -> Case | None:
    """The case a reply belongs to: by In-Reply-To/References to a Message-ID we sent (or to
    the customer's own earlier mail on a case), then by the reference tag in the subject.
    Never by subject text alone. No header of ours is trusted on inbound mail."""
    ids = [i for i in [*parsed.in_reply_to, *reversed(parsed.references)] if i][:50]
    if ids:
        ours = (
            Notification.objects.filter(message_id__in=[f"<{i}>" for i in ids], case__isnull=False)
            .order_by("-created_at")
            .values_list("case_id", flat=True)
            .first()
        )
        if ours is None:
            ours = (
                InboundMail.objects.filter(message_id__in=ids, case__isnull=False)
                .order_by("-received_at")
                .values_list("case_id", flat=True)
                .first()
            )
        if ours is not None:
            return Case.objects.select_related("customer").get(pk=ours)
    tag = REFERENCE_TAG.search(parsed.subject or "")
    if tag:
        from amends.cases.services.references import reference_normalise

        return (
            Case.objects.select_related("customer")
            .filter(reference=reference_normalise(tag.group(1)))
            .first()
        )
    return None


def is_participant(*, case: Case, address: str) -> bool:
    """Whether a sender may write into the case: one of the customer's email addresses."""
    if not address:
        return False
    return CustomerIdentity.objects.filter(
        customer_id=case.customer_id, kind=IdentityKind.EMAIL, value=address.lower()
    ).exists()


def _bounce(row: InboundMail, parsed: ParsedMail) -> None:
    """A delivery failure: note it on the case of the mail that bounced and flag the address;
    nothing is reopened and nobody is acknowledged."""
    row.status = InboundStatus.BOUNCE
    if not parsed.bounced_message_id:
        return
    notification = (
        Notification.objects.filter(message_id=f"<{parsed.bounced_message_id}>")
        .select_related("case")
        .first()
    )
    if notification is None:
        return
    addresses = {a.lower() for a in parsed.bounced_recipients} or {notification.to_address.lower()}
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.FAILED, error=_("The mail bounced: the address did not accept it.")
    )
    CustomerIdentity.objects.filter(kind=IdentityKind.EMAIL, value__in=addresses).update(
        bounced_at=clock.now()
    )
    if notification.case_id:
        row.case = notification.case
        record_event(
            name=events.BOUNCED,
            target=notification.case,
            actor_label="system",
            data={
                "addresses": sorted(addresses),
                "notification": notification.pk,
                "event": notification.event,
            },
        )


@transaction.atomic
def held_accept(*, mail_id: int, actor: Any) -> InboundMail:
    """An agent confirms a held reply belongs to the case: it becomes a customer message."""
    row = InboundMail.objects.select_for_update(of=("self",)).select_related("case").get(pk=mail_id)
    if row.status != InboundStatus.HELD or row.case is None:
        raise DomainError(_("This email is no longer waiting for a decision."), code="not_held")
    parsed = parse(bytes(row.raw))
    row.case_message = case_customer_message(
        case=row.case,
        body=_body(parsed),
        channel=Channel.EMAIL,
        attachments=_attachments(parsed, row),
        email_message_id=parsed.message_id,
    )
    row.status = InboundStatus.PROCESSED
    row.processed_at = clock.now()
    row.save()
    record_event(name=events.HELD_ACCEPTED, target=row.case, actor=actor, data={"from": row.from_address})
    return row


@transaction.atomic
def held_reject(*, mail_id: int, actor: Any) -> InboundMail:
    """An agent decides a held reply is not the customer's: it stays stored, out of the case."""
    row = InboundMail.objects.select_for_update(of=("self",)).select_related("case").get(pk=mail_id)
    if row.status != InboundStatus.HELD or row.case is None:
        raise DomainError(_("This email is no longer waiting for a decision."), code="not_held")
    row.status = InboundStatus.IGNORED
    row.save(update_fields=["status"])
    record_event(name=events.HELD_REJECTED, target=row.case, actor=actor, data={"from": row.from_address})
    return row


@transaction.atomic
def inbound_reprocess(*, mail_id: int) -> None:
    """Admin "process again" for an unprocessable message (after a fix): back to the queue."""
    from amends.mail.tasks import inbound_process_task

    updated = InboundMail.objects.filter(pk=mail_id, status=InboundStatus.UNPROCESSABLE).update(
        status=InboundStatus.STORED, error=""
    )
    if updated:
        inbound_process_task.enqueue(mail_id=mail_id)


def inbound_retry_stored() -> int:
    """Periodic job: a message still "stored" after RETRY_AFTER lost its task (a worker died
    before it ran): queue it again. Processing is idempotent, so a duplicate costs a query."""
    from amends.mail.tasks import inbound_process_task

    stale = list(
        InboundMail.objects.filter(status=InboundStatus.STORED, received_at__lt=clock.now() - RETRY_AFTER)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    for mail_id in stale:
        inbound_process_task.enqueue(mail_id=mail_id)
    return len(stale)
