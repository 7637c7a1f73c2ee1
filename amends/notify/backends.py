"""An email backend that keeps sent mail in the database, for the embedded demo and tests."""

from django.core.mail.backends.base import BaseEmailBackend

from amends.notify.models import OutboxEmail


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            OutboxEmail.objects.create(
                to=", ".join(message.recipients()),
                from_email=message.from_email,
                subject=message.subject,
                body=message.body,
                raw=message.message().as_string(),
            )
        return len(email_messages)
