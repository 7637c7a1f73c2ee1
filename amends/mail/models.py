"""Inbound email: every message exactly as it arrived, stored before anything reads it.

Outbound mail is amends.notify's Notification (rendered, queued, sent by the worker).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from amends.core.secrets import seal, unseal


class Via(models.TextChoices):
    PIPE = "pipe", _("MTA pipe (mailgate)")
    SMTP = "smtp", _("SMTP listener")
    IMAP = "imap", _("IMAP mailbox")


class InboundStatus(models.TextChoices):
    STORED = "stored", _("Stored, not yet processed")
    PROCESSED = "processed", _("Processed")
    HELD = "held", _("Held for an agent: sender is not on the case")
    BOUNCE = "bounce", _("Delivery failure report")
    IGNORED = "ignored", _("Ignored (automatic mail with nothing to do)")
    UNPROCESSABLE = "unprocessable", _("Could not be processed")


class InboundMail(models.Model):
    """One received message. ``raw`` is the exact bytes; everything else is derived from it and
    can be derived again (admin "process again")."""

    raw = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    message_id = models.CharField(max_length=998, blank=True)  # as sent, without <>; "" if none
    via = models.CharField(max_length=8, choices=Via.choices)
    envelope_from = models.CharField(max_length=998, blank=True)
    envelope_to = models.TextField(blank=True)
    mailbox = models.CharField(max_length=200, blank=True)  # IMAP mailbox name, for the record
    received_at = models.DateTimeField()
    status = models.CharField(max_length=14, choices=InboundStatus.choices, default=InboundStatus.STORED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)
    from_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    case_message = models.ForeignKey(
        "cases.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("received email")
        verbose_name_plural = _("received email")
        constraints = [
            # The same message delivered twice (MTA retry, IMAP and SMTP both) is stored once;
            # two different mails that share a Message-ID differ in their hash and both stay.
            models.UniqueConstraint(fields=["message_id", "sha256"], name="inbound_once"),
        ]
        indexes = [
            models.Index(fields=["status", "received_at"], name="inbound_status"),
            models.Index(fields=["case", "received_at"], name="inbound_case"),
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id or f"#{self.pk}"


class Mailbox(models.Model):
    """An IMAP mailbox the poller reads (settings per mailbox, edited in the admin)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("server"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    use_ssl = models.BooleanField(_("TLS (IMAPS)"), default=True)
    username = models.CharField(_("user name"), max_length=200)
    # Sealed at rest (amends.core.secrets); read and set through the `password` property.
    password_sealed = models.TextField(_("password (sealed)"), blank=True)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    move_to = models.CharField(
        _("move processed mail to"),
        max_length=200,
        blank=True,
        help_text=_("Empty: mark it as seen and leave it in the folder."),
    )
    max_per_run = models.PositiveIntegerField(_("messages per run"), default=200)
    timeout_seconds = models.PositiveIntegerField(_("timeout (seconds)"), default=30)
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("IMAP mailbox")
        verbose_name_plural = _("IMAP mailboxes")

    def __str__(self) -> str:
        return self.name

    @property
    def password(self) -> str:
        return unseal(self.password_sealed)

    @password.setter
    def password(self, value: str) -> None:
        self.password_sealed = seal(value)
