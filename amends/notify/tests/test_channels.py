"""Channels: the drain sends each notification through the channel stored on it, and a new
channel (here a fake SMS adapter) plugs in through AMENDS_NOTIFY_CHANNELS alone."""

import pytest
from django.core import mail

from amends.notify.channels import EMAIL, channel_choices, channel_for, channels
from amends.notify.models import Notification, NotificationStatus
from amends.notify.services import customer_preferences_update
from amends.notify.tests.fake_channels import FakeSmsChannel

pytestmark = pytest.mark.django_db

WITH_SMS = ["amends.notify.channels.EmailChannel", "amends.notify.tests.fake_channels.FakeSmsChannel"]


@pytest.fixture
def sms(settings):
    settings.AMENDS_NOTIFY_CHANNELS = WITH_SMS
    FakeSmsChannel.sent, FakeSmsChannel.refused, FakeSmsChannel.opened = [], set(), 0
    return FakeSmsChannel


def test_email_is_the_only_channel_by_default(case):
    assert list(channels()) == [EMAIL]
    assert channel_for(case.customer).code == EMAIL
    assert [code for code, _label in channel_choices(case.customer)] == [EMAIL]
    assert Notification.objects.get(case=case).channel == EMAIL


def test_a_customer_who_chose_sms_is_told_by_text_message(sms, make_case):
    # given a customer with an email and a phone who chose text messages
    case = make_case(phone="+972501234567")
    assert [code for code, _label in channel_choices(case.customer)] == ["email", "sms"]
    customer_preferences_update(customer_id=case.customer_id, language="en", channel="sms")
    case.customer.refresh_from_db()
    mail.outbox.clear()
    # when the case changes
    from amends.notify.services import customer_notify

    row = customer_notify(case=case, event="reply", context={"body": "We are on it.", "author_name": "Dana"})
    # then the drain sent it through the SMS channel, to the phone, and no mail went out
    row.refresh_from_db()
    assert (row.channel, row.to_address, row.status) == ("sms", "+972501234567", NotificationStatus.SENT)
    assert sms.sent and sms.sent[-1][0] == "+972501234567" and "We are on it." in sms.sent[-1][1]
    assert mail.outbox == []


def test_a_channel_that_cannot_reach_the_customer_falls_back_to_email(sms, case):
    # given a customer without a phone whose stored choice is sms (set before they lost it)
    case.customer.preferred_channel = "sms"
    # then
    assert channel_for(case.customer).code == EMAIL
    assert [code for code, _label in channel_choices(case.customer)] == [EMAIL]


def test_a_permanent_refusal_by_a_channel_fails_the_row_at_once(sms, make_case):
    case = make_case(phone="+972500000000")
    customer_preferences_update(customer_id=case.customer_id, language="en", channel="sms")
    case.customer.refresh_from_db()
    sms.refused = {"+972500000000"}
    from amends.notify.services import customer_notify

    row = customer_notify(case=case, event="reopened", context={"owner_name": ""})
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED and row.attempts == 1 and "no such number" in row.error


def test_a_row_of_a_channel_no_longer_configured_fails_instead_of_waiting(sms, make_case, settings):
    case = make_case(phone="+972501111111")
    customer_preferences_update(customer_id=case.customer_id, language="en", channel="sms")
    case.customer.refresh_from_db()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queue, not send
    from amends.notify.services import customer_notify, notifications_send_due

    row = customer_notify(case=case, event="reopened", context={"owner_name": ""})
    # when sms is taken out of the settings before the drain runs
    settings.AMENDS_NOTIFY_CHANNELS = ["amends.notify.channels.EmailChannel"]
    notifications_send_due()
    # then
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED and "not configured" in row.error
