"""One place that decides what a customer is told, renders it in their language and queues it.

Call `customer_notify` inside the service transaction that made the change: the notification
row (and, if none is waiting, a run of the send drain) commits together with the change, or
not at all.
"""

import logging
import re
import smtplib
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import make_msgid
from django.db import transaction
from django.db.models import F, QuerySet
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from amends.core import clock
from amends.core.db import bulk_create_fast
from amends.core.errors import DomainError
from amends.core.i18n import is_rtl, normalise_language
from amends.core.kick import drain_kick
from amends.customers.models import Customer
from amends.customers.selectors import customer_email
from amends.notify.channels import EMAIL, Channel, PermanentFailure, channel_choices, channel_for, channel_get
from amends.notify.mailheaders import thread_headers
from amends.notify.models import Notification, NotificationStatus

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8  # with the doubling delay below: a little over 2 hours of trying
RETRY_BASE_SECONDS = 60
SENDING_LEASE_SECONDS = 600
BATCH_SIZE = 100  # claimed in one transaction, sent over one SMTP connection
RUN_SECONDS = 60  # a drain run starts no batch after this; it queues its next run instead
# A batch starts no send after this; its untried rows go back to the queue. With one send
# bounded by a few SMTP timeouts (20 s each), a claimed row never outlives the lease above.
BATCH_SEND_SECONDS = 120
DUE_COUNT_CAP = 10_000  # the periodic job counts due rows up to this

# Events a customer hears about, each with a template pair under notify/email/.
CUSTOMER_EVENTS = frozenset(
    {
        "received",
        "assigned",
        "transferred",
        "reply",
        "question",
        "resolved",
        "reopened",
        "promise_moved",
        "followup",
        "incident_ack",  # amends.learning: "we know about this interruption"
        "incident_fixed",  # amends.learning: the interruption is over
    }
)
# Notices the system writes by itself: with AMENDS_NOTIFY_FOLD_SECONDS set, each waits that
# long for others on the same case, and those that come meanwhile go in one mail ("folded",
# notify/email/folded.txt). An agent's own words (reply, question, resolved, promise_moved)
# and the acknowledgement never wait.
FOLDABLE_EVENTS = frozenset({"assigned", "transferred", "reopened", "incident_ack", "incident_fixed"})
FOLDED_EVENT = "folded"

# Mail to staff, under notify/email/staff_<event>.txt.
STAFF_EVENTS = frozenset({"escalated", "promise_reminder", "digest", "delivery_failed", "recurrence"})
# Customer mail about no case, to an address (address_notify), under notify/email/<event>.txt.
ADDRESS_EVENTS = frozenset({"signin"})
# Mail whose body is a live secret (a sign-in link and code): the drain blanks body and
# body_html once the row is sent or failed for good, so the table keeps no working link.
SECRET_BODY_EVENTS = frozenset({"signin"})


def customer_notify(
    *,
    case: Any,
    event: str,
    context: dict[str, Any] | None = None,
    to_address: str | None = None,
    first_message: Any = None,
    queue: bool = True,
) -> Notification:
    """Render what the customer is told about `event` and queue it (``queue=False``: ready but
    unsaved, for notifications_queue to save a batch of them in one INSERT).

    `to_address` saves a lookup when the caller already knows where to write. `first_message`
    is for the acknowledgement of a case opened in this transaction: its opening Message, the
    only mail on the case and no notification yet, so the thread is that message alone and is
    not looked up (two queries less per new case).
    """
    if event not in CUSTOMER_EVENTS:
        raise ValueError(f"unknown customer event {event!r}")
    customer = case.customer
    # Mail about a case speaks the case's language: the one the customer wrote it in.
    language = normalise_language(case.language or customer.language)
    # The customer's channel; the words are the same whichever way they go.
    channel = channel_for(customer)
    if channel.code == EMAIL:
        address = to_address or customer_email(customer) or ""
    else:
        address = channel.address(customer)
    ctx = {"case": case, "customer": customer, "site_url": settings.SITE_URL, **(context or {})}
    mail = _render(event, ctx, case=case, language=language)
    fold = _fold_seconds() if queue and address and channel.code == EMAIL else 0
    if fold and event in FOLDABLE_EVENTS:
        with translation.override(language):
            part = _render_text(f"notify/email/{event}.txt", {**ctx, "folded": True})
        waiting = _waiting_notice(case=case, address=address, language=language)
        if waiting is not None:
            return _fold_into(waiting, part=part, ctx=ctx)
    elif fold:
        # An agent's mail or the acknowledgement goes now: a notice waiting to be folded goes
        # with it, first, so the customer reads them in the order they happened.
        _waiting_notices(case=case, address=address).update(next_attempt_at=clock.now())
    if first_message is not None:
        inbound = [(first_message.created_at, first_message.email_message_id)]
        in_reply_to, references = thread_headers(inbound=[m for m in inbound if m[1]], ours=[])
    else:
        in_reply_to, references = _case_thread(case)
    notification = Notification(
        case=case,
        event=event,
        channel=channel.code,
        language=language,
        to_address=address,
        **mail,
        in_reply_to=in_reply_to,
        references=references,
    )
    if not queue:
        return _ready(notification)
    if fold and event in FOLDABLE_EVENTS:
        notification.fold_parts = [part]
        return _queue(notification, delay=fold)
    return _queue(notification)


def _fold_seconds() -> int:
    return int(getattr(settings, "AMENDS_NOTIFY_FOLD_SECONDS", 0) or 0)


def _waiting_notices(*, case: Any, address: str) -> QuerySet[Notification]:
    """Notices on `case` to `address` still waiting out their fold window: queued, never tried,
    not yet due (a due row may be in a drain's hands at any moment)."""
    return Notification.objects.filter(
        case=case,
        recipient__isnull=True,
        to_address=address,
        status=NotificationStatus.QUEUED,
        attempts=0,
        event__in=[*FOLDABLE_EVENTS, FOLDED_EVENT],
        next_attempt_at__gt=clock.now(),
    )


def _waiting_notice(*, case: Any, address: str, language: str) -> Notification | None:
    # Locked: a drain that reaches it meanwhile skips it (SKIP LOCKED), and one that locked
    # it first has made it "sending" by the time this lock is granted, so it no longer matches.
    return (
        _waiting_notices(case=case, address=address)
        .filter(language=language)
        .select_for_update()
        .order_by("pk")
        .first()
    )


def _fold_into(waiting: Notification, *, part: str, ctx: dict[str, Any]) -> Notification:
    """Add one notice to the mail waiting on its case: one greeting, every notice in order, one
    signature. Still rendered at queue time; the waiting row keeps its Message-ID, threading
    and due time (counted from its first notice, so a busy case cannot hold mail back)."""
    waiting.fold_parts = [*waiting.fold_parts, part]
    parts = {**ctx, "parts": waiting.fold_parts}
    mail = _render(FOLDED_EVENT, parts, case=ctx["case"], language=waiting.language)
    waiting.subject, waiting.body, waiting.body_html = mail["subject"], mail["body"], mail["body_html"]
    waiting.event = FOLDED_EVENT
    waiting.save(update_fields=["fold_parts", "subject", "body", "body_html", "event"])
    return waiting


def notifications_queue(notifications: list[Notification]) -> list[Notification]:
    """Save notifications made with ``queue=False`` in one INSERT and make sure a send run is
    waiting: bulk intake acknowledges a batch of new cases this way."""
    bulk_create_fast(Notification, notifications)
    if any(n.to_address for n in notifications):
        from amends.notify.tasks import notifications_drain_task

        drain_kick(notifications_drain_task)
    return notifications


def staff_notify(
    *, user: Any, event: str, case: Any = None, context: dict[str, Any] | None = None
) -> Notification:
    """Tell a member of staff about a case (a reminder, an escalation), or about several cases
    at once (``event="digest"``, ``case=None``), in the first language they speak."""
    if event not in STAFF_EVENTS:
        raise ValueError(f"unknown staff event {event!r}")
    spoken = [code for code in (user.languages or []) if code in dict(settings.LANGUAGES)]
    language = spoken[0] if spoken else settings.LANGUAGE_CODE[:2]
    ctx = {"case": case, "user": user, "site_url": settings.SITE_URL, **(context or {})}
    with translation.override(language):
        if case is not None:
            ctx["case_path"] = reverse("desk:case", kwargs={"public_id": case.public_id})
        for item in ctx.get("items", ()):
            item["path"] = reverse("desk:case", kwargs={"public_id": item["public_id"]})
    mail = _render(f"staff_{event}", ctx, case=case, language=language)
    return _queue(
        Notification(
            case=case, recipient=user, event=event, language=language, to_address=user.email or "", **mail
        )
    )


def address_notify(
    *, to_address: str, language: str, event: str = "signin", context: dict[str, Any] | None = None
) -> Notification:
    """Queue a customer mail that belongs to no case (the portal's sign-in link), in `language`.

    Call it inside the caller's transaction, like customer_notify: the row and the drain's kick
    commit with it. For events in SECRET_BODY_EVENTS the drain blanks the stored text once the
    mail is sent or has failed for good.
    """
    if event not in ADDRESS_EVENTS:
        raise ValueError(f"unknown address event {event!r}")
    language = normalise_language(language)
    ctx = {"site_url": settings.SITE_URL, **(context or {})}
    mail = _render(event, ctx, case=None, language=language)
    return _queue(Notification(event=event, language=language, to_address=to_address, **mail))


def _queue(notification: Notification, *, delay: int = 0) -> Notification:
    """Save a rendered notification and, when it has an address, make sure a run of the send
    drain is waiting (one for all the rows queued meanwhile, not a task per row).

    The Message-ID is made now, not at the first attempt, so a mail queued right after this one
    (the "assigned" after a "received" in one intake) can already name it in References.
    """
    _ready(notification)
    if delay:  # a notice waiting for others to fold in; the periodic job kicks the drain then
        notification.next_attempt_at += timedelta(seconds=delay)
    notification.save()
    if notification.to_address and not delay:
        from amends.notify.tasks import notifications_drain_task

        drain_kick(notifications_drain_task)
    return notification


def _ready(notification: Notification) -> Notification:
    notification.status = NotificationStatus.QUEUED if notification.to_address else NotificationStatus.SKIPPED
    notification.created_at = notification.next_attempt_at = clock.now()
    if notification.to_address:
        notification.message_id = make_msgid(domain=settings.AMENDS_MAIL_DOMAIN)
    return notification


def _render(stem: str, ctx: dict[str, Any], *, case: Any, language: str) -> dict[str, str]:
    """Subject, text body and HTML body of notify/email/<stem>*, in `language`."""
    with translation.override(language):
        subject = _render_text(f"notify/email/{stem}_subject.txt", ctx)
        body = _render_text(f"notify/email/{stem}.txt", ctx) + "\n"
        return {
            "subject": " ".join(subject.split())[:255],
            "body": body,
            "body_html": _render_html(body=body, case=case, language=language),
        }


def _render_text(template_name: str, ctx: dict[str, Any]) -> str:
    # Plain-text mail: no HTML escaping, or "Smith & Sons" would arrive as "Smith &amp; Sons".
    template = get_template(template_name).template  # type: ignore[attr-defined]
    text = template.render(Context(ctx, autoescape=False))
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return re.sub(r"\n{3,}", "\n\n", text)


def _render_html(*, body: str, case: Any, language: str) -> str:
    """The HTML alternative: the rendered text, escaped, in paragraphs with live links, inside
    the one layout (lang and dir of the mail's language; inline CSS, nothing remote)."""
    return get_template("notify/email/_layout.html").render(
        {
            "text": body.strip(),
            "case": case,
            "language": language,
            "direction": "rtl" if is_rtl(language) else "ltr",
        }
    )


def _case_thread(case: Any) -> tuple[str, str]:
    """In-Reply-To and References for the next customer mail on `case`: the customer's emails
    on the case (Message.email_message_id, set by the mail app) and our earlier mails to them.
    Read through the case's related managers: notify does not import cases or mail."""
    inbound = (
        case.messages.exclude(email_message_id="")
        .order_by("created_at", "pk")
        .values_list("created_at", "email_message_id")
    )
    ours = (
        case.notifications.filter(recipient__isnull=True)
        .exclude(message_id="")
        .order_by("created_at", "pk")
        .values_list("created_at", "message_id")
    )
    return thread_headers(inbound=list(inbound), ours=list(ours))


def notifications_send_due(*, max_batches: int | None = None) -> int:
    """The drain: send every queued notification that is due, BATCH_SIZE at a time over one
    SMTP connection per batch, oldest due first; returns how many were sent.

    Rows another worker holds are skipped, not waited for. After `max_batches` (or RUN_SECONDS)
    it queues its own next run and returns, so other tasks get the worker in between. When the
    mail server cannot be reached it stops: the rows wait out their delay and the periodic job
    (`notifications_retry_stuck`) queues a run when they are due.
    """
    from amends.notify.tasks import notifications_drain_task

    began = time.monotonic()
    sent = batches = 0
    while True:
        now = clock.now()
        claimed = _claim(
            Notification.objects.filter(status=NotificationStatus.QUEUED, next_attempt_at__lte=now).order_by(
                "next_attempt_at", "pk"
            ),  # the partial index notification_due
            limit=BATCH_SIZE,
        )
        if not claimed:
            return sent
        result = _send_and_record(claimed)
        sent += result.sent
        batches += 1
        if result.unreachable or len(claimed) < BATCH_SIZE:
            return sent
        if (max_batches is not None and batches >= max_batches) or time.monotonic() - began > RUN_SECONDS:
            with transaction.atomic():
                drain_kick(notifications_drain_task)
            return sent


def notification_send(*, notification_id: int) -> None:
    """Send one queued notification now, due or not; a no-op unless it is queued (a duplicate
    task, or one another worker is sending). A failure is recorded as the drain records it and
    re-raised. For send tasks queued one per notification before the drain, and tests."""
    claimed = _claim(Notification.objects.filter(pk=notification_id), limit=1)
    if claimed:
        result = _send_and_record(claimed)
        if result.errors:
            raise result.errors[0]


def _claim(candidates: QuerySet[Notification], *, limit: int) -> list[Notification]:
    """Lock up to `limit` queued rows of `candidates` (skipping rows others hold) and mark them
    sending, with one more attempt, in one short transaction: from here on no other run takes
    them, so a mail handed to the server is not sent again unless the worker dies before
    recording it (then the lease, SENDING_LEASE_SECONDS, decides)."""
    now = clock.now()
    with transaction.atomic():
        queued = candidates.filter(status=NotificationStatus.QUEUED)
        rows = list(queued.select_for_update(skip_locked=True)[:limit])
        if not rows:
            return []
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
            status=NotificationStatus.SENDING, attempts=F("attempts") + 1, last_attempt_at=now
        )
        for n in rows:
            n.status, n.attempts, n.last_attempt_at = NotificationStatus.SENDING, n.attempts + 1, now
            if not n.message_id:  # a row queued before ids were made at queue time
                n.message_id = make_msgid(domain=settings.AMENDS_MAIL_DOMAIN)
                n.save(update_fields=["message_id"])
    return rows


@dataclass
class _BatchResult:
    sent: int
    errors: list[BaseException]
    unreachable: bool  # the mail server could not be reached (again): stop for now


@dataclass
class _HandOver:
    sent: list[int]
    failed: list[tuple[Notification, BaseException]]
    untried: list[Notification]
    unreachable: bool


def _hand_over(rows: list[Notification], channel: Channel, *, began: float) -> _HandOver:
    """Send `rows` through `channel` over one connection, each with its own try; see
    _send_and_record for the rules on lost connections and the batch's time limit."""
    out = _HandOver(sent=[], failed=[], untried=[], unreachable=False)
    connected, opens = False, 0
    for index, notification in enumerate(rows):
        if time.monotonic() - began > BATCH_SEND_SECONDS:
            out.untried = rows[index:]
            break
        if not connected:
            error = None
            if opens < 2:
                opens += 1
                try:
                    channel.open()
                    connected = True
                except Exception as exc:  # refused, timed out, TLS or login failed
                    _close_quietly(channel)  # ends a connection that failed half-way (login)
                    error = exc
            if not connected:
                out.unreachable = True
                out.failed += [(n, error or out.failed[-1][1]) for n in rows[index:]]
                break
        try:
            channel.send(notification)
        except Exception as exc:  # the mail server's failure must not lose the notification
            out.failed.append((notification, exc))
            if _connection_lost(exc):
                _close_quietly(channel)
                connected = False
            continue
        out.sent.append(notification.pk)
    if connected:
        # After the server's 250s a failed QUIT (a reset connection, an odd reply) is not a
        # failure: counting it would send those mails twice.
        _close_quietly(channel)
    return out


def _send_and_record(rows: list[Notification]) -> _BatchResult:
    """Hand claimed rows to their channel (email: the mail server), one connection per channel,
    outside any transaction, then record every outcome: sent in one UPDATE; a permanent refusal
    fails the row and alerts the owner (`notification_fail`); anything else puts the row back in
    the queue with its doubling delay, or fails it after MAX_ATTEMPTS.

    Each message has its own try, so one refused recipient fails only its own mail. A lost
    connection is opened again once; if that fails too, or the connection cannot be opened at
    all, the rest are not tried and wait like any temporary failure. Rows not tried because the
    batch ran past BATCH_SEND_SECONDS go back as they were, due at once.
    """
    sent: list[int] = []
    failed: list[tuple[Notification, BaseException]] = []
    untried: list[Notification] = []
    unreachable = False
    began = time.monotonic()
    groups: dict[str, list[Notification]] = {}
    for notification in rows:
        groups.setdefault(notification.channel or EMAIL, []).append(notification)
    for code, group in groups.items():
        channel = channel_get(code)
        if channel is None:  # a channel taken out of AMENDS_NOTIFY_CHANNELS: nothing can send it
            failed += [(n, PermanentFailure(f"channel {code!r} is not configured")) for n in group]
            continue
        if untried or time.monotonic() - began > BATCH_SEND_SECONDS:
            untried += group
            continue
        outcome = _hand_over(group, channel, began=began)
        sent += outcome.sent
        failed += outcome.failed
        untried += outcome.untried
        unreachable = unreachable or outcome.unreachable

    now = clock.now()
    if sent:
        Notification.objects.filter(pk__in=sent).update(status=NotificationStatus.SENT, sent_at=now, error="")
    if untried:
        Notification.objects.filter(pk__in=[n.pk for n in untried]).update(
            status=NotificationStatus.QUEUED, attempts=F("attempts") - 1, next_attempt_at=now
        )
    if unreachable:
        logger.warning("mail server unreachable: %s", _error_text(failed[-1][1]))
    retry = []
    for notification, exc in failed:
        error = _error_text(exc)
        if not unreachable:
            logger.warning("notification %s failed: %s", notification.pk, error)
        if _is_permanent(exc):
            notification_fail(notification_id=notification.pk, error=error)
            continue
        gave_up = notification.attempts >= MAX_ATTEMPTS
        notification.status = NotificationStatus.FAILED if gave_up else NotificationStatus.QUEUED
        notification.error = error
        notification.next_attempt_at = notification.last_attempt_at + timedelta(
            seconds=_retry_delay(notification.attempts)
        )
        retry.append(notification)
    if retry:
        Notification.objects.bulk_update(retry, ["status", "error", "next_attempt_at"])
    secret = [n.pk for n in rows if n.event in SECRET_BODY_EVENTS and n.recipient_id is None]
    if secret:
        # Sent, or failed for good: the live link and code leave the table. A row going back
        # to the queue keeps its text for the next attempt.
        Notification.objects.filter(
            pk__in=secret, status__in=[NotificationStatus.SENT, NotificationStatus.FAILED]
        ).update(body="", body_html="")
    return _BatchResult(sent=len(sent), errors=[exc for _n, exc in failed], unreachable=unreachable)


def _retry_delay(attempts: int) -> int:
    """Seconds from attempt `attempts` to the next: 60, 120, 240 …"""
    return RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)


def _connection_lost(exc: BaseException) -> bool:
    """The connection is gone (dropped, reset, timed out, 421 closing): open a new one."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _close_quietly(backend: Any) -> None:
    try:
        backend.close()
    except Exception as exc:  # the messages were accepted, or their own errors are recorded
        logger.info("closing the mail connection failed: %r", exc)


def _is_permanent(exc: BaseException) -> bool:
    """A 5xx answer to the recipient, the sender or the message: trying again cannot help.

    Anything else (4xx, refused or timed-out connection, a failed login) is temporary.
    """
    if isinstance(exc, PermanentFailure):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        # RFC 5321 §4.5.3.1.10: a 552 to RCPT means too many recipients; retry it like a 452.
        return bool(codes) and all(code >= 500 and code != 552 for code in codes)
    if isinstance(exc, smtplib.SMTPDataError | smtplib.SMTPSenderRefused):
        return exc.smtp_code >= 500
    return False


def _error_text(exc: BaseException) -> str:
    """What the mail server said, readable by the owner ("550 5.1.1 No such user")."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "; ".join(
            f"{address}: {code} {_decoded(reply)}" for address, (code, reply) in exc.recipients.items()
        )
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"{exc.smtp_code} {_decoded(exc.smtp_error)}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text[:2000]


def _decoded(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


@transaction.atomic
def notification_fail(*, notification_id: int, error: str) -> None:
    """Mark a notification undeliverable for good and tell the case's owner.

    For a permanent refusal by the mail server (and a bounce, if the mail app reports it here).
    The owner hears of it only for a customer's mail, and only if the case has an owner with
    an email address; a notification that is already failed changes nothing and alerts nobody.
    """
    notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
    if notification is None or notification.status == NotificationStatus.FAILED:
        return
    notification.status = NotificationStatus.FAILED
    notification.error = error[:2000]
    notification.save(update_fields=["status", "error"])
    case = notification.case
    owner = case.owner if case is not None and notification.recipient_id is None else None
    if owner is not None and owner.email:
        staff_notify(
            case=case,
            user=owner,
            event="delivery_failed",
            context={
                "to_address": notification.to_address,
                "failed_subject": notification.subject,
                "error": notification.error,
            },
        )


def notifications_retry_stuck() -> int:
    """Periodic job: put notifications whose worker died mid-send back in the queue, and make
    sure a drain run is coming when queued ones are due; returns how many are due.

    A "sending" row older than SENDING_LEASE_SECONDS belonged to a worker that died; it is due
    at once. Other queued rows are due at `next_attempt_at`: a retry after its delay (1, 2, 4 …
    minutes after the attempt), or a row committed just after a drain run's last look.
    """
    from amends.notify.tasks import notifications_drain_task

    now = clock.now()
    Notification.objects.filter(
        status=NotificationStatus.SENDING, last_attempt_at__lt=now - timedelta(seconds=SENDING_LEASE_SECONDS)
    ).update(status=NotificationStatus.QUEUED, next_attempt_at=now)
    due_rows = Notification.objects.filter(status=NotificationStatus.QUEUED, next_attempt_at__lte=now)
    # Unordered ids only: an index-only scan of notification_due, not a sort of whole rows.
    due = due_rows.order_by().values("pk")[:DUE_COUNT_CAP].count()
    if due:
        with transaction.atomic():
            drain_kick(notifications_drain_task)
    return due


@transaction.atomic
def notification_resend(*, notification_id: int) -> None:
    """An admin asks to try a failed notification again: queued, due at once, attempts from 0."""
    from amends.notify.tasks import notifications_drain_task

    # A sign-in mail's text is blanked once it failed, and its link would have expired anyway.
    updated = (
        Notification.objects.filter(
            pk=notification_id, status__in=[NotificationStatus.FAILED, NotificationStatus.QUEUED]
        )
        .exclude(event__in=SECRET_BODY_EVENTS)
        .update(status=NotificationStatus.QUEUED, attempts=0, error="", next_attempt_at=clock.now())
    )
    if updated:
        drain_kick(notifications_drain_task)


class PreferenceInvalid(DomainError):
    code = "preference_invalid"


@transaction.atomic
def customer_preferences_update(*, customer_id: int, language: str, channel: str) -> None:
    """Store the language and the notification channel a customer chose (the portal's Settings).

    `language` must be one of LANGUAGES, `channel` one that can reach the customer
    (channels.channel_choices); otherwise PreferenceInvalid. Mail about a case keeps the case's
    language; the channel applies to every notification queued from now on.
    """
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if language not in dict(settings.LANGUAGES):
        raise PreferenceInvalid(_("Choose one of the languages in the list."), field="language")
    if channel not in dict(channel_choices(customer)):
        raise PreferenceInvalid(_("Choose one of the ways in the list."), field="channel")
    customer.language, customer.preferred_channel = language, channel
    customer.save(update_fields=["language", "preferred_channel"])
