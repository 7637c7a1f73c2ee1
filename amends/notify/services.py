"""One place that decides what a customer is told, renders it in their language and queues it.

Call `customer_notify` inside the service transaction that made the change: the notification
row and its task commit together with the change, or not at all.
"""

import logging
import re
import smtplib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers, make_msgid
from django.db import transaction
from django.db.models.functions import Coalesce
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation

from amends.core import clock
from amends.core.i18n import is_rtl, normalise_language
from amends.customers.selectors import customer_email
from amends.notify.mailheaders import IdListHeader, auto_submitted, thread_headers
from amends.notify.models import Notification, NotificationStatus

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8  # with the doubling delay below: a little over 2 hours of trying
RETRY_BASE_SECONDS = 60
SENDING_LEASE_SECONDS = 600

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
    }
)
# Mail to staff, under notify/email/staff_<event>.txt.
STAFF_EVENTS = frozenset({"escalated", "promise_reminder", "digest", "delivery_failed"})


def customer_notify(
    *, case: Any, event: str, context: dict[str, Any] | None = None, to_address: str | None = None
) -> Notification:
    """Render what the customer is told about `event` and queue it (`to_address` saves a lookup
    when the caller already knows where to write)."""
    if event not in CUSTOMER_EVENTS:
        raise ValueError(f"unknown customer event {event!r}")
    customer = case.customer
    # Mail about a case speaks the case's language: the one the customer wrote it in.
    language = normalise_language(case.language or customer.language)
    address = to_address or customer_email(customer) or ""
    ctx = {"case": case, "customer": customer, "site_url": settings.SITE_URL, **(context or {})}
    with translation.override(language):
        subject = _render_text(f"notify/email/{event}_subject.txt", ctx)
        body = _render_text(f"notify/email/{event}.txt", ctx) + "\n"
        body_html = _render_html(body=body, case=case, language=language)
    in_reply_to, references = _case_thread(case)
    return _queue(
        Notification(
            case=case,
            event=event,
            language=language,
            to_address=address,
            subject=" ".join(subject.split())[:255],
            body=body,
            body_html=body_html,
            in_reply_to=in_reply_to,
            references=references,
        )
    )


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
        subject = _render_text(f"notify/email/staff_{event}_subject.txt", ctx)
        body = _render_text(f"notify/email/staff_{event}.txt", ctx) + "\n"
        body_html = _render_html(body=body, case=case, language=language)
    return _queue(
        Notification(
            case=case,
            recipient=user,
            event=event,
            language=language,
            to_address=user.email or "",
            subject=" ".join(subject.split())[:255],
            body=body,
            body_html=body_html,
        )
    )


def _queue(notification: Notification) -> Notification:
    """Save a rendered notification and, when it has an address, its send task.

    The Message-ID is made now, not at the first attempt, so a mail queued right after this one
    (the "assigned" after a "received" in one intake) can already name it in References.
    """
    notification.status = NotificationStatus.QUEUED if notification.to_address else NotificationStatus.SKIPPED
    notification.created_at = clock.now()
    if notification.to_address:
        notification.message_id = make_msgid(domain=settings.AMENDS_MAIL_DOMAIN)
    notification.save()
    if notification.to_address:
        from amends.notify.tasks import send_notification_task

        send_notification_task.enqueue(notification_id=notification.pk)
    return notification


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


def notification_send(*, notification_id: int) -> None:
    """Send one queued notification; a no-op if it was sent already (tasks may run twice).

    The row is claimed (status "sending") in a short transaction and the mail server is
    talked to outside it, so a slow SMTP server never holds a database lock. A failure is
    recorded and re-raised. A permanent one (a 5xx refusal) fails the notification at once and
    alerts the case owner; otherwise the periodic retry job tries again with a growing delay
    and, after MAX_ATTEMPTS, marks it failed for an admin to resend.
    """
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.status != NotificationStatus.QUEUED:
            return
        notification.status = NotificationStatus.SENDING
        notification.attempts += 1
        notification.last_attempt_at = clock.now()
        if not notification.message_id:  # a row queued before ids were made at queue time
            notification.message_id = make_msgid(domain=settings.AMENDS_MAIL_DOMAIN)
        notification.save(update_fields=["status", "attempts", "last_attempt_at", "message_id"])
    try:
        _deliver(_email_for(notification))
    except Exception as exc:  # the mail server's failure must not lose the notification
        error = _error_text(exc)
        logger.warning("notification %s failed: %s", notification_id, error)
        if _is_permanent(exc):
            notification_fail(notification_id=notification_id, error=error)
        else:
            gave_up = notification.attempts >= MAX_ATTEMPTS
            Notification.objects.filter(pk=notification_id).update(
                status=NotificationStatus.FAILED if gave_up else NotificationStatus.QUEUED, error=error
            )
        raise
    Notification.objects.filter(pk=notification_id).update(
        status=NotificationStatus.SENT, sent_at=clock.now(), error=""
    )


def _email_for(notification: Notification) -> EmailMultiAlternatives:
    headers: dict[str, str] = {"Message-ID": notification.message_id}
    if notification.in_reply_to:
        headers["In-Reply-To"] = IdListHeader("In-Reply-To", notification.in_reply_to)
    if notification.references:
        headers["References"] = IdListHeader("References", notification.references)
    value = auto_submitted(event=notification.event, to_staff=notification.recipient_id is not None)
    if value:
        headers["Auto-Submitted"] = value
    headers["Content-Language"] = notification.language
    email = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_address],
        headers=headers,
    )
    if notification.body_html:  # rows queued before HTML mail go out as text only
        email.attach_alternative(notification.body_html, "text/html")
    return email


def _deliver(email: EmailMultiAlternatives) -> None:
    """Hand one message to the mail server; raise only if it was not accepted.

    The connection is opened and closed here rather than inside send_messages, whose closing
    QUIT can raise (a reset connection, an odd reply) after the server has already answered
    250 to the message: that must not count as a failure, or the retry would send it twice.
    """
    backend = mailers.default
    try:
        backend.open()  # inside: close() also ends a connection that failed half-way (login)
        backend.send_messages([email])
    finally:
        try:
            backend.close()
        except Exception as exc:  # the message was accepted, or its own error is on its way up
            logger.info("closing the mail connection failed: %r", exc)


def _is_permanent(exc: BaseException) -> bool:
    """A 5xx answer to the recipient, the sender or the message: trying again cannot help.

    Anything else (4xx, refused or timed-out connection, a failed login) is temporary.
    """
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
    """Queue another send for notifications whose attempt failed or whose task was lost.

    Attempt n is retried RETRY_BASE_SECONDS * 2**(n-1) after it started (1, 2, 4 … minutes);
    a "sending" row older than SENDING_LEASE_SECONDS belonged to a worker that died.
    Sending is idempotent (row lock + status check), so a duplicate task costs one query.
    """
    from amends.notify.tasks import send_notification_task

    now = clock.now()
    Notification.objects.filter(
        status=NotificationStatus.SENDING, last_attempt_at__lt=now - timedelta(seconds=SENDING_LEASE_SECONDS)
    ).update(status=NotificationStatus.QUEUED)
    candidates = (
        Notification.objects.filter(status=NotificationStatus.QUEUED)
        .alias(tried_at=Coalesce("last_attempt_at", "created_at"))
        .filter(tried_at__lt=now - timedelta(seconds=RETRY_BASE_SECONDS))
        .order_by("pk")[:2000]
    )
    due = [
        n.pk
        for n in candidates.only("pk", "attempts", "last_attempt_at", "created_at")
        if (n.last_attempt_at or n.created_at)
        + timedelta(seconds=RETRY_BASE_SECONDS * 2 ** max(n.attempts - 1, 0))
        < now
    ][:500]
    for notification_id in due:
        send_notification_task.enqueue(notification_id=notification_id)
    return len(due)


@transaction.atomic
def notification_resend(*, notification_id: int) -> None:
    """An admin asks to try a failed notification again."""
    from amends.notify.tasks import send_notification_task

    updated = Notification.objects.filter(
        pk=notification_id, status__in=[NotificationStatus.FAILED, NotificationStatus.QUEUED]
    ).update(status=NotificationStatus.QUEUED, attempts=0, error="")
    if updated:
        send_notification_task.enqueue(notification_id=notification_id)
