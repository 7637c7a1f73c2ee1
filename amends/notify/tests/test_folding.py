"""Folding: with AMENDS_NOTIFY_FOLD_SECONDS set, the system's own notices on one case within
the window reach the customer as one mail; an agent's words never wait, and take any waiting
notice along, first."""

from datetime import timedelta

import pytest

from amends.cases.services import lifecycle
from amends.core import clock
from amends.notify.models import Notification, NotificationStatus
from amends.notify.services import notifications_send_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def fold(settings):
    settings.AMENDS_NOTIFY_FOLD_SECONDS = 120
    start = clock.now()
    clock.freeze(start)
    yield start
    clock.freeze(None)


def _customer_mails(mailoutbox, address="mary@example.com"):
    return [m for m in mailoutbox if m.to == [address]]


def test_notices_within_the_window_go_as_one_mail(fold, case, agent, other_agent, mailoutbox):
    # given the acknowledgement has gone
    assert len(_customer_mails(mailoutbox)) == 1
    # when the case is assigned and, a minute later, transferred
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    clock.freeze(fold + timedelta(seconds=60))
    lifecycle.case_transfer(
        case=case, to_owner=other_agent, actor=agent, summary="Refund approved; courier to confirm."
    )
    # then nothing more has gone yet, and one row holds both notices
    assert len(_customer_mails(mailoutbox)) == 1
    row = Notification.objects.get(case=case, status=NotificationStatus.QUEUED)
    assert row.event == "folded" and len(row.fold_parts) == 2
    assert Notification.objects.filter(case=case, recipient__isnull=True).count() == 2  # + received
    # when the window of the first notice has passed
    clock.freeze(fold + timedelta(seconds=121))
    assert notifications_send_due() == 1
    # then one mail tells both, in order, under one greeting and one signature
    mail = _customer_mails(mailoutbox)[-1]
    body = mail.body
    assert body.count("Dear Mary Customer,") == 1
    assert body.count("The customer care team") == 1 and body.count("/portal/case/") == 1
    assert body.index("Dana Levi is now handling") < body.index("Omar Haddad has taken over")
    assert case.reference in mail.subject
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    assert 'dir="ltr"' in mail.alternatives[0].content and "Omar Haddad" in mail.alternatives[0].content


def test_a_single_notice_reads_as_usual_after_the_window(fold, case, agent, mailoutbox):
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    assert notifications_send_due() == 0  # not due yet
    clock.freeze(fold + timedelta(seconds=120))
    assert notifications_send_due() == 1
    mail = _customer_mails(mailoutbox)[-1]
    assert "Dana Levi is now handling" in mail.body and "last few minutes" not in mail.body
    assert Notification.objects.get(case=case, event="assigned").status == NotificationStatus.SENT


def test_an_agents_reply_goes_at_once_and_takes_the_waiting_notice_first(fold, case, agent, mailoutbox):
    # given an "assigned" notice waiting
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    # when the agent replies half a minute later
    clock.freeze(fold + timedelta(seconds=30))
    lifecycle.case_reply(case=case, actor=agent, body="We have found your parcel.")
    # then both went now, the notice first
    mails = _customer_mails(mailoutbox)[1:]
    assert len(mails) == 2
    assert "Dana Levi is now handling" in mails[0].body
    assert "We have found your parcel." in mails[1].body


def test_a_notice_after_the_mail_went_starts_a_new_one(fold, case, agent, other_agent, mailoutbox):
    # given the "assigned" notice has gone after its window
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    clock.freeze(fold + timedelta(seconds=121))
    notifications_send_due()
    # when the case is transferred
    lifecycle.case_transfer(
        case=case, to_owner=other_agent, actor=agent, summary="Refund approved; courier to confirm."
    )
    # then the sent mail is left as it was and the new notice waits in a row of its own
    sent = Notification.objects.get(case=case, event="assigned")
    assert sent.status == NotificationStatus.SENT and len(sent.fold_parts) == 1
    waiting = Notification.objects.get(case=case, event="transferred")
    assert waiting.status == NotificationStatus.QUEUED
    assert waiting.next_attempt_at == fold + timedelta(seconds=121 + 120)


def test_folding_is_off_by_default(case, agent, mailoutbox):
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    assert Notification.objects.get(case=case, event="assigned").status == NotificationStatus.SENT


def test_a_case_opened_with_its_owner_is_acknowledged_once_naming_them(agent, mailoutbox):
    from amends.cases.services.intake import case_open

    # when an agent logs a phone complaint and takes it at once
    case = case_open(
        channel="phone",
        body="Called: the courier never came.",
        full_name="Ruth Caller",
        email="ruth@example.com",
        owner=agent,
        actor=agent,
        intake_key="desk:one-mail",
    )
    # then the customer gets one mail: received, with the owner's name in it
    rows = Notification.objects.filter(case=case, recipient__isnull=True)
    assert [row.event for row in rows] == ["received"]
    [mail] = _customer_mails(mailoutbox, "ruth@example.com")
    assert "Dana Levi is handling your complaint personally" in mail.body
    assert case.reference in mail.body
    # and a repeated submit of the same form tells them nothing more
    case_open(
        channel="phone",
        body="Called: the courier never came.",
        full_name="Ruth Caller",
        email="ruth@example.com",
        owner=agent,
        actor=agent,
        intake_key="desk:one-mail",
    )
    assert len(_customer_mails(mailoutbox, "ruth@example.com")) == 1
