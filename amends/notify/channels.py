"""The ways a notification can reach a customer: one `Channel` per way, found by its code.

Today only email. An SMS or WhatsApp adapter is a class with the same methods, listed in the
setting AMENDS_NOTIFY_CHANNELS (dotted paths); callers (customer_notify, the send drain, the
portal's settings page) only ever ask the registry, so adding one touches none of them.

A channel sends one stored `Notification` at a time between `open()` and `close()`, which the
drain calls once per batch (one SMTP connection for 100 mails). It raises on failure:
`PermanentFailure` (or an SMTP 5xx) fails the row for good, anything else is retried with the
drain's doubling delay (docs/subsystems/notify.md).
"""

import email.policy
from email.policy import Policy
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from amends.customers.selectors import customer_email
from amends.notify.mailheaders import IdListHeader, auto_submitted, fast_policy

EMAIL = "email"
DEFAULT_CHANNELS = ["amends.notify.channels.EmailChannel"]


class PermanentFailure(Exception):
    """The channel refused the message for good (no such number, blocked): do not retry."""


class Channel(Protocol):
    code: str  # stored on Notification.channel and Customer.preferred_channel; max 16 characters
    label: Any  # what the customer sees in the portal's settings (lazy translated)

    def address(self, customer: Any) -> str:
        """Where this channel reaches the customer ("" if it cannot)."""

    def can_reach(self, customer: Any) -> bool: ...

    def open(self) -> None:
        """Before a batch: open the connection, if the channel has one."""

    def send(self, notification: Any) -> None:
        """Hand one stored notification over; raise on failure."""

    def close(self) -> None: ...


class _OutboundEmail(EmailMultiAlternatives):
    """Built under the mail backend's policy with header classes made once (fast_policy)."""

    def message(self, *, policy: Policy = email.policy.default) -> Any:
        return super().message(policy=fast_policy(policy))


def email_for(notification: Any) -> EmailMultiAlternatives:
    """The mail for a stored notification: its subject, text, HTML and headers as stored."""
    headers: dict[str, str] = {"Message-ID": notification.message_id}
    if notification.in_reply_to:
        headers["In-Reply-To"] = IdListHeader("In-Reply-To", notification.in_reply_to)
    if notification.references:
        headers["References"] = IdListHeader("References", notification.references)
    value = auto_submitted(event=notification.event, to_staff=notification.recipient_id is not None)
    if value:
        headers["Auto-Submitted"] = value
    headers["Content-Language"] = notification.language
    mail = _OutboundEmail(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_address],
        headers=headers,
    )
    if notification.body_html:  # rows queued before HTML mail go out as text only
        mail.attach_alternative(notification.body_html, "text/html")
    return mail


class EmailChannel:
    """Mail through Django's `mailers.default` (SMTP in production), one connection a batch."""

    code = EMAIL
    label = _("Email")

    def __init__(self) -> None:
        self.backend: Any = None

    def address(self, customer: Any) -> str:
        return customer_email(customer) or ""

    def can_reach(self, customer: Any) -> bool:
        return bool(self.address(customer))

    def open(self) -> None:
        self.backend = mailers.default
        self.backend.open()

    def send(self, notification: Any) -> None:
        (self.backend or mailers.default).send_messages([email_for(notification)])

    def close(self) -> None:
        if self.backend is not None:
            self.backend.close()


def channels() -> dict[str, Channel]:
    """Every configured channel by code, in the setting's order (email first by default).

    A new instance each call: a channel keeps its connection only for one batch.
    """
    paths = getattr(settings, "AMENDS_NOTIFY_CHANNELS", None) or DEFAULT_CHANNELS
    found = [import_string(path)() for path in paths]
    return {channel.code: channel for channel in found}


def channel_get(code: str) -> Channel | None:
    return channels().get(code)


def channel_for(customer: Any) -> Channel:
    """The channel a customer's notifications go through: their preferred one if it is still
    configured and can reach them, else email (a phone-only customer's mail is then skipped,
    as before channels existed)."""
    registry = channels()
    preferred = registry.get(getattr(customer, "preferred_channel", "") or EMAIL)
    if preferred is not None and (preferred.code == EMAIL or preferred.can_reach(customer)):
        return preferred
    return registry.get(EMAIL) or EmailChannel()


def channel_choices(customer: Any) -> list[tuple[str, Any]]:
    """(code, label) of the channels that can reach this customer, for the portal's settings;
    email is always offered."""
    return [(c.code, c.label) for c in channels().values() if c.code == EMAIL or c.can_reach(customer)]
