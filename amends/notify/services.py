"""One place that decides what a customer is told, renders it in their language and queues it.

Call `customer_notify` inside the service transaction that made the change: the notification
row and its task commit together with the change, or not at all.
"""

import logging
import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from amends.core import clock
from amends.core.i18n import normalise_language
from amends.customers.selectors import customer_email
from amends.notify.models import Notification, NotificationStatus

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5

# Events a customer hears about, each with a template pair under notify/email/.
CUSTOMER_EVENTS = frozenset(
    {"received", "assigned", "transferred", "reply", "question", "resolved", "reopened"}
)


def customer_notify(*, case: Any, event: str, context: dict[str, Any] | None = None) -> Notification:
    if event not in CUSTOMER_EVENTS:
        raise ValueError(f"unknown customer event {event!r}")
    customer = case.customer
    language = normalise_language(customer.language)
    address = customer_email(customer) or ""
    ctx = {"case": case, "customer": customer, "site_url": settings.SITE_URL, **(context or {})}
    with translation.override(language):
        subject = _render_text(f"notify/email/{event}_subject.txt", ctx)
        body = _render_text(f"notify/email/{event}.txt", ctx) + "\n"
    notification = Notification.objects.create(
        case=case,
        event=event,
        language=language,
        to_address=address,
        subject=" ".join(subject.split())[:255],
        body=body,
        status=NotificationStatus.QUEUED if address else NotificationStatus.SKIPPED,
        created_at=clock.now(),
    )
    if address:
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

    A failure is recorded and re-raised after the record commits, so the task backend can
    retry; after 5 attempts the notification is marked failed for an admin to see.
    """
    failure: Exception | None = None
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.status != NotificationStatus.QUEUED:
            return
        notification.attempts += 1
        email = EmailMessage(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.to_address],
            headers={"Auto-Submitted": "auto-generated", "Content-Language": notification.language},
        )
        try:
            mailers.default.send_messages([email])
        except Exception as exc:  # the mail server's failure must not lose the notification
            logger.warning("notification %s failed: %s", notification_id, exc)
            failure = exc
            notification.error = str(exc)[:2000]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = NotificationStatus.FAILED
        else:
            notification.status = NotificationStatus.SENT
            notification.sent_at = clock.now()
            notification.error = ""
        notification.save(update_fields=["attempts", "status", "sent_at", "error"])
    if failure is not None and notification.status == NotificationStatus.QUEUED:
        raise failure


def notifications_retry_stuck(*, older_than_seconds: int = 120) -> int:
    """Queue a send again for notifications still waiting after a failed attempt or a lost task.

    Sending is idempotent (row lock + status check), so a duplicate task costs one query.
    """
    from amends.notify.tasks import send_notification_task

    cutoff = clock.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Notification.objects.filter(status=NotificationStatus.QUEUED, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    for notification_id in ids:
        send_notification_task.enqueue(notification_id=notification_id)
    return len(ids)
