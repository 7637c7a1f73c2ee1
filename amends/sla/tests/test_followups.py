"""The satisfaction check after resolution, end to end through the public link (R-RE-2)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import signing

from amends.cases.choices import Status
from amends.cases.services import lifecycle
from amends.core import clock
from amends.notify.models import Notification
from amends.sla.models import CaseClock, ClockKind, ClockState, FollowUp, FollowUpStatus
from amends.sla.services.followups import SALT
from amends.sla.sweeper import sla_sweep

JLM = ZoneInfo("Asia/Jerusalem")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=JLM)


@pytest.fixture
def resolved_case(make_case, agent):
    clock.freeze(at(2026, 11, 26, 10, 0))  # Thursday
    case = make_case(language="ru", email="ivan@example.com")
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    lifecycle.case_resolve(
        case=case, actor=agent, resolution_type="refund", decision="upheld", summary="Refunded in full."
    )
    return case


def sent_link(case) -> str:
    clock.freeze(at(2026, 11, 30, 10, 1))
    sla_sweep()
    mail = Notification.objects.get(case=case, event="followup")
    return re.search(r"https?://\S+answer=not_solved", mail.body).group(0)


def test_check_is_scheduled_two_business_days_after_resolution(resolved_case):
    followup = FollowUp.objects.get(case=resolved_case)
    # Thursday 10:00 + 2 business days: Friday counts, Saturday does not → Sunday 10:00.
    assert followup.send_at == at(2026, 11, 29, 10, 0)
    assert followup.status == FollowUpStatus.SCHEDULED


def test_the_mail_is_in_the_case_language_with_signed_links(resolved_case):
    link = sent_link(resolved_case)
    mail = Notification.objects.get(case=resolved_case, event="followup")
    assert mail.language == "ru"
    assert "/ru/followup/" in link
    assert FollowUp.objects.get(case=resolved_case).status == FollowUpStatus.SENT


def test_get_shows_the_choice_without_recording_it(client, resolved_case):
    link = sent_link(resolved_case)
    page = client.get(_path(link))
    assert page.status_code == 200
    assert 'value="not_solved"' in page.content.decode() and "checked" in page.content.decode()
    assert FollowUp.objects.get(case=resolved_case).answered_at is None


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_solved_with_rating_is_stored_and_a_second_click_is_harmless(client, resolved_case):
    path = _path(sent_link(resolved_case)).split("?")[0]
    answer = {"answer": "solved", "rating": "5", "comment": "Спасибо!"}
    assert client.post(path, answer).status_code == 200
    again = client.post(path, {"answer": "not_solved"})
    assert "already" in again.content.decode() or again.status_code == 200
    followup = FollowUp.objects.get(case=resolved_case)
    assert (followup.solved, followup.rating, followup.comment) == (True, 5, "Спасибо!")
    resolved_case.refresh_from_db()
    assert resolved_case.status == Status.RESOLVED


def test_not_solved_reopens_with_the_same_owner_and_a_running_response_clock(client, resolved_case, agent):
    path = _path(sent_link(resolved_case)).split("?")[0]
    client.post(path, {"answer": "not_solved", "comment": "The money never arrived."})
    resolved_case.refresh_from_db()
    assert resolved_case.status == Status.OPEN and resolved_case.owner == agent
    assert resolved_case.messages.filter(body="The money never arrived.").exists()
    response = CaseClock.objects.get(case=resolved_case, kind=ClockKind.NEXT_RESPONSE)
    assert response.state == ClockState.RUNNING


def test_bad_rating_is_refused_with_a_message(client, resolved_case):
    path = _path(sent_link(resolved_case)).split("?")[0]
    page = client.post(path, {"answer": "solved", "rating": "9"})
    assert page.status_code == 400
    assert FollowUp.objects.get(case=resolved_case).answered_at is None


def test_forged_or_expired_links_are_refused(client, resolved_case):
    sent_link(resolved_case)
    forged = client.get("/en/followup/not-a-token/")
    assert forged.status_code == 410
    token = signing.dumps({"f": FollowUp.objects.get().pk}, salt=SALT, compress=True)
    clock.freeze(None)
    with pytest.MonkeyPatch.context() as mp:
        import time

        real = time.time
        mp.setattr(time, "time", lambda: real() + timedelta(days=30).total_seconds())
        expired = client.get(f"/en/followup/{token}/")
    assert expired.status_code == 410


def test_no_answer_closes_the_case_after_n_days(resolved_case):
    sent_link(resolved_case)
    clock.freeze(at(2026, 12, 7, 10, 2))  # 7 days after sending
    sla_sweep()
    resolved_case.refresh_from_db()
    assert resolved_case.status == Status.CLOSED
    assert FollowUp.objects.get(case=resolved_case).status == FollowUpStatus.EXPIRED
    assert sla_sweep() == 0


def test_a_customer_message_before_the_check_cancels_it(resolved_case):
    lifecycle.case_customer_message(case=resolved_case, body="Actually it broke again.", channel="web")
    assert FollowUp.objects.get(case=resolved_case).status == FollowUpStatus.CANCELLED
    clock.freeze(at(2026, 11, 30, 10, 1))
    sla_sweep()
    assert not Notification.objects.filter(case=resolved_case, event="followup").exists()
