"""One place that decides what a customer is told, renders it in their language and queues it.

Call `customer_notify` inside the service transaction that made the change: the notification
row and its task commit together with the change, or not at all.
"""

import logging
import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers, make_msgid
from django.db import transaction
from django.db.models.functions import Coalesce
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation

from amends.core import clock
from amends.core.i18n import normalise_language
from amends.customers.selectors import customer_email
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
STAFF_EVENTS = frozenset({"escalated", "promise_reminder", "digest"})


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
    return _queue(
        Notification(
            case=case,
            event=event,
            language=language,
            to_address=address,
            subject=" ".join(subject.split())[:255],
            body=body,
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
    return _queue(
        Notification(
            case=case,
            recipient=user,
            event=event,
            language=language,
            to_address=user.email or "",
            subject=" ".join(subject.split())[:255],
            body=body,
        )
    )


def _queue(notification: Notification) -> Notification:
    """Save a rendered notification and, when it has an address, its send task."""
    notification.status = NotificationStatus.QUEUED if notification.to_address else NotificationStatus.SKIPPED
    notification.created_at = clock.now()
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


def notification_send(*, notification_id: int) -> None:
    """Send one queued notification; a no-op if it was sent already (tasks may run twice).

    The row is claimed (status "sending") in a short transaction and the mail server is
    talked to outside it, so a slow SMTP server never holds a database lock. A failure is
    recorded and re-raised; the periodic retry job tries again with a growing delay and,
    after MAX_ATTEMPTS, marks the notification failed for an admin to resend.
    """
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.status != NotificationStatus.QUEUED:
            return
        notification.status = NotificationStatus.SENDING
        notification.attempts += 1
        notification.last_attempt_at = clock.now()
        if not notification.message_id:
            notification.message_id = make_msgid(domain=settings.AMENDS_MAIL_DOMAIN)
        notification.save(update_fields=["status", "attempts", "last_attempt_at", "message_id"])
    email = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_address],
        headers={
            "Message-ID": notification.message_id,
            "Auto-Submitted": "auto-generated",
            "Content-Language": notification.language,
        },
    )
    try:
        mailers.default.send_messages([email])
    except Exception as exc:  # the mail server's failure must not lose the notification
        logger.warning("notification %s failed: %s", notification_id, exc)
        gave_up = notification.attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id).update(
            status=NotificationStatus.FAILED if gave_up else NotificationStatus.QUEUED, error=str(exc)[:2000]
        )
        raise
    Notification.objects.filter(pk=notification_id).update(
        status=NotificationStatus.SENT, sent_at=clock.now(), error=""
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
