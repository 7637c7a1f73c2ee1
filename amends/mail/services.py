"""Inbound email after it is stored (amends.mail.store): parse, thread and hand over to the
case lifecycle (docs/subsystems/mail.md).

``inbound_process_pending`` is the drain the worker runs: stored messages in batches, each
in its own savepoint. A message it cannot handle becomes "unprocessable" with the error, for
an admin to look at and process again: nothing is dropped.
"""

import logging
import re
import traceback
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from amends.cases.choices import Channel
from amends.cases.models import Case
from amends.cases.services.attachments import attachments_check
from amends.cases.services.intake import Intake, cases_open, intake_check
from amends.cases.services.lifecycle import CustomerMessage, case_customer_message, customer_messages_add
from amends.core import clock
from amends.core.audit import record_event
from amends.core.db import bulk_update_by_pk
from amends.core.errors import DomainError, InvalidTransition
from amends.core.kick import drain_kick
from amends.customers.models import CustomerIdentity, IdentityKind
from amends.mail import events
from amends.mail.models import InboundMail, InboundStatus
from amends.mail.parsing import ParsedMail, parse
from amends.mail.store import inbound_raw
from amends.notify.models import Notification, NotificationStatus
from amends.sla.services.clocks import sla_config_shared

logger = logging.getLogger(__name__)

# "[AM-7K3Q9X]" (our subjects), also "[#AM-7K3Q9X]" and "AM 7K3Q9X" typed by hand in brackets.
REFERENCE_TAG = re.compile(r"\[\s*#?\s*(AM[-\s]?[0-9A-Z]{6})\s*\]", re.IGNORECASE)
RETRY_AFTER = timedelta(minutes=1)  # a "stored" row this old has no drain run coming: queue one


def inbound_process(*, mail_id: int) -> str:
    """Parse, thread and take in one stored message; returns its new status (admin, tests).

    Runs once per row (a lock and the status check make a second call a no-op).
    """
    with transaction.atomic():
        row = InboundMail.objects.select_for_update().defer("raw").filter(pk=mail_id).first()
        if row is None or row.status != InboundStatus.STORED:
            return row.status if row else ""
        _process_batch([row])
        return row.status


def inbound_process_pending(*, max_batches: int | None = None) -> int:
    """The drain: take in every stored message, AMENDS_MAIL_BATCH to a transaction, oldest
    first; returns how many. Rows another worker holds are skipped, not waited for.

    After `max_batches` it queues its own next run and returns, so that the acknowledgements
    it queued go out between batches of a long backlog.
    """
    from amends.mail.tasks import inbound_drain_task

    done = batches = 0
    while True:
        with transaction.atomic():
            rows = list(
                InboundMail.objects.select_for_update(skip_locked=True)
                .filter(status=InboundStatus.STORED)
                .order_by("received_at", "pk")  # the (status, received_at) index
                .defer("raw")[: settings.AMENDS_MAIL_BATCH]
            )
            with sla_config_shared():  # read once for the batch
                _process_batch(rows)
        done += len(rows)
        batches += 1
        if len(rows) < settings.AMENDS_MAIL_BATCH:
            return done
        if max_batches is not None and batches >= max_batches:
            with transaction.atomic():
                drain_kick(inbound_drain_task)
            return done


@dataclass
class _Work:
    row: InboundMail
    parsed: ParsedMail


ROW_FIELDS = [
    "status",
    "attempts",
    "error",
    "warnings",
    "from_address",
    "subject",
    "case",
    "case_message",
    "processed_at",
]


def _process_batch(rows: list[InboundMail]) -> None:
    """Take in locked stored rows, in the caller's transaction: threading, participants and
    the acknowledgement cap are looked up for the whole batch, the new complaints opened
    together (cases_open) and the replies added together (customer_messages_add); bounces,
    and a batch step that failed, one message at a time in a savepoint each. A message that
    fails becomes "unprocessable" with the error, for the admin's list; its neighbours go on.
    Nothing is dropped."""
    now = clock.now()
    raws = _raws(rows)
    works: list[_Work] = []
    for row in rows:
        row.attempts += 1
        row.processed_at = now
        parsed = parse(raws.get(row.pk) or inbound_raw(mail_id=row.pk))  # parse() never raises
        row.warnings = parsed.warnings[:50]
        row.from_address = parsed.from_address[:254]
        row.subject = parsed.subject[:500]
        works.append(_Work(row, parsed))
    threads = threads_find([w.parsed for w in works])
    participants = _participants(
        {(case.customer_id, w.parsed.from_address) for w, case in zip(works, threads, strict=True) if case}
    )
    openings: list[_Work] = []
    replies: list[tuple[_Work, Case]] = []
    for work, case in zip(works, threads, strict=True):
        row, parsed = work.row, work.parsed
        if parsed.bounce:
            _guarded(row, _bounce, row, parsed)
            continue
        if case is not None:
            row.case = case
            if parsed.automatic:
                row.status = InboundStatus.IGNORED  # an out-of-office reply must not reopen a case
                continue
            if (case.customer_id, parsed.from_address.lower()) not in participants:
                row.status = InboundStatus.HELD  # spoofed or forwarded: an agent decides
                continue
            replies.append((work, case))
            continue
        if parsed.automatic:
            row.status = InboundStatus.IGNORED
            continue
        openings.append(work)
    # A closed case takes no new messages: such a reply opens a new case.
    _open_all(openings + _append_all(replies))
    bulk_update_by_pk(InboundMail, rows, ROW_FIELDS)


def _raws(rows: list[InboundMail]) -> dict[int, bytes]:
    """The raw bytes of the batch's smaller messages in one query; a large one is read alone
    (inbound_raw, in binary) when parsed, so a batch never holds more than one big message."""
    small = [r.pk for r in rows if r.size <= 1024 * 1024]
    if not small:
        return {}
    found = InboundMail.objects.filter(pk__in=small).order_by().values_list("pk", "raw")
    return {pk: bytes(raw) for pk, raw in found}


def _guarded(row: InboundMail, step, *args, savepoint: bool = True) -> bool:
    """Run one message's step in a savepoint (unless the step is atomic itself). False: the
    step declined (a closed case); True: done, or failed and recorded on the row as
    unprocessable."""
    try:
        if not savepoint:
            return step(*args) is not False
        with transaction.atomic():
            return step(*args) is not False
    except Exception as exc:
        _failed(row, exc)
        return True


def _failed(row: InboundMail, exc: BaseException) -> None:
    logger.error("inbound mail %s could not be processed", row.pk, exc_info=exc)
    row.status = InboundStatus.UNPROCESSABLE
    row.error = "".join(traceback.format_exception_only(exc)).strip()[:4000]
    row.case = row.case_message = None
    row.processed_at = None


def _append_all(replies: list[tuple[_Work, Case]]) -> list[_Work]:
    """The batch's customer replies added together (customer_messages_add); if that fails, one
    at a time, so only the message at fault is marked. Returns the replies whose case is
    closed: they open new cases."""
    if not replies:
        return []
    uploads = [_attachments(work.parsed, work.row) for work, _case in replies]
    items = [
        CustomerMessage(
            case_id=case.pk,
            body=_body(work.parsed),
            channel=Channel.EMAIL,
            checked=attachments_check(files),
            email_message_id=work.parsed.message_id,
        )
        for (work, case), files in zip(replies, uploads, strict=True)
    ]
    try:
        with transaction.atomic():
            messages = customer_messages_add(items)
    except Exception:
        logger.exception("a batch of %d replies failed: trying them one at a time", len(items))
        messages = None
    closed = []
    for index, (work, case) in enumerate(replies):
        if messages is None:
            for upload in uploads[index]:
                upload.seek(0)  # the failed batch read them
            # No savepoint of ours: case_customer_message is atomic, so a failure rolls back
            # its own savepoint and leaves the batch's transaction usable.
            message = _guarded(
                work.row, _append, work.row, work.parsed, case, uploads[index], savepoint=False
            )
            if message is False:
                closed.append(work)
            continue
        if messages[index] is None:
            work.row.case = None
            closed.append(work)
        else:
            work.row.case_message = messages[index]
            work.row.status = InboundStatus.PROCESSED
    return closed


def _append(row: InboundMail, parsed: ParsedMail, case: Case, uploads: list) -> bool:
    """One customer reply on its case; False if the case takes no more messages."""
    try:
        row.case_message = case_customer_message(
            case=case,
            body=_body(parsed),
            channel=Channel.EMAIL,
            attachments=uploads,
            email_message_id=parsed.message_id,
        )
    except InvalidTransition:
        row.case = None
        return False
    row.status = InboundStatus.PROCESSED
    return True


def _open_all(openings: list[_Work]) -> None:
    """Open a case for each new complaint in one go; if the batch fails, one at a time, so the
    message at fault is the only one marked unprocessable."""
    if not openings:
        return
    capped = _acknowledgements_allowed([w.parsed.from_address for w in openings])
    intakes = []
    for work, acknowledge in zip(openings, capped, strict=True):
        try:
            intakes.append(_intake(work, acknowledge))
        except Exception as exc:  # the mail lacks what a case needs (no sender, say)
            _failed(work.row, exc)
    openings = [w for w in openings if w.row.status != InboundStatus.UNPROCESSABLE]
    try:
        with transaction.atomic():
            _opened(openings, cases_open(intakes, actor=None))
    except Exception:
        for work, intake in zip(openings, intakes, strict=True):
            for item in intake.checked:
                item.upload.seek(0)  # the failed batch read them
            _guarded(work.row, lambda w=work, i=intake: _opened([w], cases_open([i], actor=None)))


def _intake(work: _Work, acknowledge: bool) -> Intake:
    parsed, row = work.parsed, work.row
    return intake_check(
        channel=Channel.EMAIL,
        body=_body(parsed),
        full_name=parsed.from_name,
        email=parsed.from_address,
        language=parsed.language or "en",
        subject=parsed.subject,
        attachments=_attachments(parsed, row),
        intake_key=f"mail:{row.sha256}:{row.message_id}",
        actor_label="email",
        acknowledge=acknowledge,
        email_message_id=parsed.message_id,
    )


def _opened(openings: list[_Work], cases: list[Case]) -> None:
    for work, case in zip(openings, cases, strict=True):
        work.row.case = case
        work.row.case_message = case.first_message
        work.row.status = InboundStatus.PROCESSED


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


def _acknowledgements_allowed(addresses: list[str]) -> list[bool]:
    """At most AMENDS_MAIL_ACK_CAP acknowledgements a day to one address: a loop or a flood of
    mails from one sender must not turn into a flood of our mails. Counts the day's
    acknowledgements once for the batch, and the batch's own as it goes."""
    since = clock.now() - timedelta(days=1)
    wanted = {a.lower() for a in addresses if a}
    sent = Counter(
        dict(
            Notification.objects.filter(
                event="received", to_address__in=wanted, created_at__gte=since, recipient__isnull=True
            )
            .values_list("to_address")
            .annotate(n=Count("pk"))
            .values_list("to_address", "n")
        )
    )
    allowed = []
    for address in addresses:
        key = address.lower()
        allowed.append(bool(address) and sent[key] < settings.AMENDS_MAIL_ACK_CAP)
        sent[key] += 1
    return allowed


def threads_find(mails: list[ParsedMail]) -> list[Case | None]:
    """The case each reply belongs to: by In-Reply-To/References to a Message-ID we sent (or to
    the customer's own earlier mail on a case), then by the reference tag in the subject.
    Never by subject text alone. No header of ours is trusted on inbound mail. A handful of
    queries for the whole batch."""
    from amends.cases.services.references import reference_normalise

    ids_per_mail = [[i for i in [*p.in_reply_to, *reversed(p.references)] if i][:50] for p in mails]
    every_id = {i for ids in ids_per_mail for i in ids}
    # message id -> (when, case id): our notifications first; the customer's own earlier mail
    # on a case only when none of a mail's ids is one of ours.
    ours: dict[str, tuple] = {}
    theirs: dict[str, tuple] = {}
    if every_id:
        for message_id, at, case_id in Notification.objects.filter(
            message_id__in=[f"<{i}>" for i in every_id], case__isnull=False
        ).values_list("message_id", "created_at", "case_id"):
            ours[message_id[1:-1]] = max(ours.get(message_id[1:-1], (at, case_id)), (at, case_id))
        rest = every_id - set(ours)
        if rest:
            for message_id, at, case_id in InboundMail.objects.filter(
                message_id__in=rest, case__isnull=False
            ).values_list("message_id", "received_at", "case_id"):
                theirs[message_id] = max(theirs.get(message_id, (at, case_id)), (at, case_id))
    tags = [REFERENCE_TAG.search(p.subject or "") for p in mails]
    references = {reference_normalise(t.group(1)) for t in tags if t}
    by_reference = (
        {c.reference: c for c in Case.objects.select_related("customer").filter(reference__in=references)}
        if references
        else {}
    )
    hits: list[int | None] = []
    for ids in ids_per_mail:
        # The newest of our mails the reply names; else the newest of the customer's own.
        named = [ours[i] for i in ids if i in ours] or [theirs[i] for i in ids if i in theirs]
        hits.append(max(named)[1] if named else None)
    by_id = Case.objects.select_related("customer").in_bulk({h for h in hits if h}) if any(hits) else {}
    return [
        by_id[hit] if hit else (by_reference.get(reference_normalise(tag.group(1))) if tag else None)
        for hit, tag in zip(hits, tags, strict=True)
    ]


def _participants(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Of (customer id, address) pairs, those where the address is one of that customer's."""
    pairs = {(c, a.lower()) for c, a in pairs if a}
    if not pairs:
        return set()
    return (
        set(
            CustomerIdentity.objects.filter(
                kind=IdentityKind.EMAIL,
                customer_id__in={c for c, _a in pairs},
                value__in={a for _c, a in pairs},
            ).values_list("customer_id", "value")
        )
        & pairs
    )


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
    row = (
        InboundMail.objects.select_for_update(of=("self",))
        .select_related("case")
        .defer("raw")
        .get(pk=mail_id)
    )
    if row.status != InboundStatus.HELD or row.case is None:
        raise DomainError(_("This email is no longer waiting for a decision."), code="not_held")
    parsed = parse(inbound_raw(mail_id=row.pk))
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
    from amends.mail.tasks import inbound_drain_task

    updated = InboundMail.objects.filter(pk=mail_id, status=InboundStatus.UNPROCESSABLE).update(
        status=InboundStatus.STORED, error=""
    )
    if updated:
        drain_kick(inbound_drain_task)


def inbound_retry_stored() -> int:
    """Periodic job: stored messages older than RETRY_AFTER mean no drain run is coming for
    them (a worker died mid-batch, or they were committed just after a drain's last look):
    queue one. Returns how many are waiting."""
    from amends.mail.tasks import inbound_drain_task

    waiting = InboundMail.objects.filter(
        status=InboundStatus.STORED, received_at__lt=clock.now() - RETRY_AFTER
    ).count()
    if waiting:
        with transaction.atomic():
            drain_kick(inbound_drain_task)
    return waiting
