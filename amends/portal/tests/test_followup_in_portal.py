"""The satisfaction check on the portal's case page (R-RE-2): the same question as the emailed
link, answered through the same service; "not solved" opens the case again."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from amends.cases.choices import Status
from amends.cases.services import lifecycle
from amends.core import clock
from amends.notify.models import Notification
from amends.portal.services import portal_case_link
from amends.sla.models import FollowUp, FollowUpStatus
from amends.sla.sweeper import sla_sweep

pytestmark = pytest.mark.django_db

JLM = ZoneInfo("Asia/Jerusalem")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=JLM)


def _open(client: Client, case) -> Client:
    client.get("/" + portal_case_link(case).split("/", 3)[3])
    return client


@pytest.fixture
def resolved_case(make_case, agent):
    clock.freeze(at(2026, 11, 26, 10, 0))  # Thursday
    case = make_case()
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    lifecycle.case_resolve(
        case=case, actor=agent, resolution_type="refund", decision="upheld", summary="Refunded in full."
    )
    return case


@pytest.fixture
def asked(resolved_case):
    """The sweeper has sent the satisfaction check (two business days later)."""
    clock.freeze(at(2026, 11, 30, 10, 1))
    sla_sweep()
    assert FollowUp.objects.get(case=resolved_case).status == FollowUpStatus.SENT
    return resolved_case


def _page(client: Client, case, language: str = "en") -> str:
    return client.get(f"/{language}/portal/cases/{case.public_id}/").content.decode()


def test_the_case_page_asks_once_the_check_is_sent(client, resolved_case):
    # given: resolved, the check not sent yet
    _open(client, resolved_case)
    assert 'id="followup-form"' not in _page(client, resolved_case)
    # when: the sweeper sends it
    clock.freeze(at(2026, 11, 30, 10, 1))
    sla_sweep()
    _open(client, resolved_case)
    html = _page(client, resolved_case)
    # then: the same three questions as the emailed link
    assert 'id="followup-form"' in html
    assert f'action="/en/portal/cases/{resolved_case.public_id}/followup/"' in html
    assert 'name="answer" value="solved"' in html and 'name="answer" value="not_solved"' in html
    assert 'name="rating"' in html and 'name="comment"' in html


def test_the_question_is_in_the_pages_language(client, asked):
    html = _open(client, asked).get(f"/he/portal/cases/{asked.public_id}/").content.decode()
    assert "האם הבעיה שלכם נפתרה?" in html and "האם הבעיה נפתרה?" in html  # heading, question
    assert 'id="followup-form"' in html


def test_solved_is_recorded_and_the_page_shows_the_answer(client, asked):
    # given
    _open(client, asked)
    # when
    response = client.post(
        f"/en/portal/cases/{asked.public_id}/followup/",
        {"answer": "solved", "rating": "4", "comment": "Quick and kind."},
    )
    # then
    assert response["Location"] == f"/en/portal/cases/{asked.public_id}/"
    followup = FollowUp.objects.get(case=asked)
    assert (followup.status, followup.solved, followup.rating, followup.comment) == (
        FollowUpStatus.ANSWERED,
        True,
        4,
        "Quick and kind.",
    )
    asked.refresh_from_db()
    assert asked.status == Status.RESOLVED
    html = client.get(response["Location"]).content.decode()
    assert "We are glad the problem is solved." in html
    assert 'id="followup-form"' not in html
    answer = html[html.index('id="followup-answer"') :]
    assert "Yes, it is solved" in answer and "4 out of 5" in answer and "Quick and kind." in answer


def test_not_solved_opens_the_case_again_with_the_same_person(client, asked, agent):
    # given
    _open(client, asked)
    # when
    response = client.post(
        f"/en/portal/cases/{asked.public_id}/followup/",
        {"answer": "not_solved", "comment": "The money never arrived."},
    )
    # then: the same service as the link: reopened, same owner, the comment is their message
    asked.refresh_from_db()
    assert asked.status == Status.OPEN and asked.owner == agent
    assert asked.messages.filter(kind="inbound", body="The money never arrived.").exists()
    html = client.get(response["Location"]).content.decode()
    assert f"Your case <bdi>{asked.reference}</bdi> is open again" in html
    assert "No, it is not solved" in html[html.index('id="followup-answer"') :]
    assert "Someone is working on it" in html


def test_the_answer_stands_whichever_way_it_came(client, asked):
    # given: answered on the case page
    _open(client, asked)
    client.post(f"/en/portal/cases/{asked.public_id}/followup/", {"answer": "solved", "rating": "5"})
    # when: the customer then presses "not solved" in the mail, and posts the page again
    mail = Notification.objects.get(case=asked, event="followup")
    link = re.search(r"https?://\S+answer=not_solved", mail.body).group(0)
    by_link = client.post("/" + link.split("/", 3)[3].split("?")[0], {"answer": "not_solved"})
    again = client.post(f"/en/portal/cases/{asked.public_id}/followup/", {"answer": "not_solved"})
    # then: the first answer stands
    assert "We already have your answer" in by_link.content.decode()
    assert "We already have your answer" in client.get(again["Location"]).content.decode()
    followup = FollowUp.objects.get(case=asked)
    assert (followup.solved, followup.rating) == (True, 5)
    asked.refresh_from_db()
    assert asked.status == Status.RESOLVED


def test_an_answer_without_a_choice_is_refused_with_a_message(client, asked):
    _open(client, asked)
    response = client.post(f"/en/portal/cases/{asked.public_id}/followup/", {"comment": "Hmm"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="followup-form"' in html and "Hmm" in html and "This field is required." in html
    assert FollowUp.objects.get(case=asked).answered_at is None


def test_an_expired_check_is_no_longer_asked_nor_taken(client, asked):
    # given: past the expiry, before the sweeper has closed the case
    followup = FollowUp.objects.get(case=asked)
    clock.freeze(followup.expires_at)
    _open(client, asked)
    # then
    assert 'id="followup"' not in _page(client, asked)
    response = client.post(f"/en/portal/cases/{asked.public_id}/followup/", {"answer": "not_solved"})
    assert response.status_code == 302
    assert "can no longer be answered" in client.get(response["Location"]).content.decode()
    assert FollowUp.objects.get(case=asked).answered_at is None


def test_another_customers_check_is_404(client, asked, make_case):
    mine = make_case(email="noa@example.com", full_name="Noa Cohen")
    _open(client, mine)
    response = client.post(f"/en/portal/cases/{asked.public_id}/followup/", {"answer": "not_solved"})
    assert response.status_code == 404
    assert FollowUp.objects.get(case=asked).answered_at is None
