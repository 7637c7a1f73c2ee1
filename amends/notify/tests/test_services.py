from urllib.parse import urlsplit

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
    assert "Auto-Submitted: auto-replied" in stored.raw  # the acknowledgement


def test_customer_mail_is_in_customer_language(make_case):
    make_case(language="ru", email="ivan@example.com", full_name="Иван")
    body = mail.outbox[-1].body
    assert "Иван" in body


def test_stuck_notifications_are_queued_again(case, mailoutbox):
    from datetime import timedelta

    from amends.core import clock
    from amends.notify.services import notifications_retry_stuck

    # given an acknowledgement queued ten minutes ago that no drain run took (committed just
    # after a run's last look, or queued before an upgrade)
    ten_minutes_ago = clock.now() - timedelta(minutes=10)
    Notification.objects.update(
        status=NotificationStatus.QUEUED, created_at=ten_minutes_ago, last_attempt_at=ten_minutes_ago
    )
    sent_before = len(mailoutbox)
    # when the periodic job runs
    assert notifications_retry_stuck() == 1
    # then it is sent (tests run tasks inline) and not queued again
    assert len(mailoutbox) == sent_before + 1
    assert notifications_retry_stuck() == 0


def test_a_worker_that_died_while_sending_does_not_strand_the_mail(case, mailoutbox):
    from datetime import timedelta

    from amends.core import clock
    from amends.notify.services import notifications_retry_stuck

    long_ago = clock.now() - timedelta(hours=1)
    Notification.objects.update(status=NotificationStatus.SENDING, attempts=1, last_attempt_at=long_ago)
    sent_before = len(mailoutbox)
    assert notifications_retry_stuck() == 1
    assert Notification.objects.get().status == NotificationStatus.SENT
    assert len(mailoutbox) == sent_before + 1


def test_mail_carries_our_message_id(case, mailoutbox):
    notification = Notification.objects.get()
    assert notification.message_id.endswith("@amends.localhost>")
    assert mailoutbox[0].extra_headers["Message-ID"] == notification.message_id


def test_the_acknowledgement_of_a_new_case_threads_without_a_lookup(
    make_case, settings, django_assert_max_num_queries
):
    from amends.cases.choices import Channel
    from amends.notify.services import customer_notify

    # given a case opened by an email whose Message-ID is on its first message
    case = make_case(channel=Channel.EMAIL, email="noa@example.com")
    first = case.messages.get()
    first.email_message_id = "CAFk3y+first@mail.gmail.com"
    first.save(update_fields=["email_message_id"])
    Notification.objects.filter(case=case).delete()  # as it stands inside the intake
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queue, not send
    looked_up = customer_notify(case=case, event="received", to_address="noa@example.com")
    looked_up.delete()
    # when the acknowledgement is queued with the opening message given
    with django_assert_max_num_queries(2):  # the insert (and, once a transaction, a look at the queue)
        given = customer_notify(
            case=case, event="received", to_address="noa@example.com", first_message=first
        )
    # then its threading headers are the ones the lookup finds
    assert (given.in_reply_to, given.references) == (looked_up.in_reply_to, looked_up.references)
    assert given.in_reply_to == "<CAFk3y+first@mail.gmail.com>"


def test_every_customer_mail_carries_the_link_to_its_case_in_the_portal(make_case, client):
    case = make_case(language="he", email="noa@example.com", full_name="נועה")
    ack = Notification.objects.get(case=case, event="received")
    link = next(word for word in ack.body.split() if "/portal/case/" in word)
    assert link.startswith("http") and "/he/portal/case/" in link  # in the case's language
    opened = client.get(urlsplit(link).path, follow=True)
    assert opened.status_code == 200 and case.reference in opened.content.decode()


def test_address_mail_is_queued_without_a_case_and_its_secret_blanked_once_failed(settings, monkeypatch):
    """A mail to an address (the portal's sign-in) refused for good by the server keeps no
    text, and alerts nobody: it belongs to no case."""
    from smtplib import SMTPRecipientsRefused

    from amends.notify.services import address_notify

    def refuse(self, messages):
        raise SMTPRecipientsRefused({"gone@example.com": (550, b"5.1.1 No such user")})

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    # when
    row = address_notify(
        to_address="gone@example.com",
        language="he",
        event="signin",
        context={
            "name": "",
            "link": "https://x.example/he/portal/sign-in/t/",
            "code": "123456",
            "minutes": 30,
        },
    )
    # then
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED and "550" in row.error
    assert (row.body, row.body_html) == ("", "")
    assert row.language == "he" and row.case_id is None
    assert Notification.objects.count() == 1  # no owner alert


def test_address_notify_knows_only_address_events():
    from amends.notify.services import address_notify

    with pytest.raises(ValueError, match="unknown address event"):
        address_notify(to_address="a@example.com", language="en", event="received")
