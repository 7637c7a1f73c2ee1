import pytest
from django.core import mail

from amends.notify.models import Notification, NotificationStatus, OutboxEmail
from amends.notify.services import notification_send

pytestmark = pytest.mark.django_db


def test_failed_send_is_kept_and_retried(case, settings, monkeypatch):
    # given a notification whose first send fails at the mail server
    notification = Notification.objects.create(
        case=case,
        event="reply",
        language="en",
        to_address="x@example.com",
        subject="s",
        body="b",
        created_at=case.created_at,
    )
    calls = {"n": 0}

    def flaky(self, messages):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionRefusedError("smtp down")
        return len(messages)

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", flaky)
    with pytest.raises(ConnectionRefusedError):
        notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.QUEUED and "smtp down" in notification.error
    # when the task runs again
    notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT and notification.attempts == 2
    # then a third run (a duplicate task) sends nothing more
    notification_send(notification_id=notification.pk)
    assert calls["n"] == 2


def test_outbox_backend_stores_mail(settings, case):
    settings.MAILERS = {"default": {"BACKEND": "amends.notify.backends.OutboxBackend"}}
    Notification.objects.update(status=NotificationStatus.QUEUED)
    notification_send(notification_id=Notification.objects.get().pk)
    stored = OutboxEmail.objects.get()
    assert case.reference in stored.subject
    assert "Auto-Submitted: auto-generated" in stored.raw


def test_customer_mail_is_in_customer_language(make_case):
    make_case(language="ru", email="ivan@example.com", full_name="Иван")
    body = mail.outbox[-1].body
    assert "Иван" in body


def test_stuck_notifications_are_queued_again(case, mailoutbox):
    from datetime import timedelta

    from amends.core import clock
    from amends.notify.services import notifications_retry_stuck

    # given an acknowledgement whose task was lost ten minutes ago
    Notification.objects.update(
        status=NotificationStatus.QUEUED, created_at=clock.now() - timedelta(minutes=10)
    )
    sent_before = len(mailoutbox)
    # when the periodic job runs
    assert notifications_retry_stuck() == 1
    # then it is sent (tests run tasks inline) and not queued again
    assert len(mailoutbox) == sent_before + 1
    assert notifications_retry_stuck() == 0
