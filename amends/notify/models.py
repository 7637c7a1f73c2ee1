from django.db import models
from django.utils.translation import gettext_lazy as _

from amends.core import clock


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent: no address")


class Notification(models.Model):
    """A message to a customer, rendered in their language when the event happened.

    Rendering at queue time keeps the words true to that moment (e.g. the owner's name) and
    makes retries send exactly the same text.
    """

    # Empty only for a staff digest that lists several cases.
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    # Set for mail to a member of staff (reminders, escalations); empty for the customer.
    recipient = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.CharField(max_length=32)
    # The code of the notify.channels.Channel that sends it ("email"); the drain groups by it.
    channel = models.CharField(max_length=16, default="email")
    language = models.CharField(max_length=8)
    to_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    # The HTML alternative, made from `body` inside notify/email/_layout.html; empty on rows
    # queued before HTML mail existed (they go out as text only).
    body_html = models.TextField(blank=True, default="")
    status = models.CharField(
        max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    # Folding (AMENDS_NOTIFY_FOLD_SECONDS): the middle of each notice waiting in this row, without
    # greeting or signature, so a later notice on the case can join it in one mail.
    fold_parts = models.JSONField(default=list, blank=True)
    # Threading headers, fixed at queue time so every attempt sends the same ones: ids in <>,
    # References space-separated, oldest first.
    in_reply_to = models.CharField(max_length=1000, blank=True, default="")
    references = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When a queued row may be tried (again): its creation, then the last attempt plus the
    # doubling delay. Meaningful only while the status is "queued".
    next_attempt_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["case", "created_at"], name="notification_case"),
            # The lease rescue reads only unsent rows: a partial index stays small.
            models.Index(
                fields=["status", "created_at"],
                name="notification_unsent",
                condition=models.Q(status__in=["queued", "sending"]),
            ),
            # The send drain claims due rows in this order: an index range scan of queued rows.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="notification_due",
                condition=models.Q(status="queued"),
            ),
            # Inbound mail threads replies by the Message-IDs we sent (amends.mail), and a
            # bounce finds the notification it reports on: without this, a scan per mail.
            models.Index(fields=["message_id"], name="notification_message_id"),
            # The acknowledgement cap counts one address's mails of the last day.
            models.Index(fields=["to_address", "created_at"], name="notification_to_address"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.to_address}"


class OutboxEmail(models.Model):
    """An email 'sent' by the local outbox backend (make run): readable by admins in the desk."""

    to = models.TextField()
    from_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    raw = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject
