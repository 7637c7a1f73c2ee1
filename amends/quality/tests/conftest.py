"""A case with a conversation: the customer, two agents' replies, and the customer's thanks."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from amends.accounts.models import Role
from amends.accounts.services import team_create, user_create
from amends.cases.services import lifecycle
from amends.core import clock
from amends.reports.filters import ReportFilters

ZONE = ZoneInfo("Asia/Jerusalem")
PERIOD = ReportFilters(start=date(2026, 2, 1), end=date(2026, 2, 28), period="custom")
ALL_MET = {
    code: ("met", "")
    for code in (
        "listens",
        "tests_understanding",
        "shows_listening",
        "builds_rapport",
        "diagnoses_without_arguing",
        "admits_errors",
        "looks_for_solutions",
    )
}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in February 2026 (Sunday the 8th is a working day), Jerusalem time."""
    return datetime(2026, 2, day, hour, minute, tzinfo=ZONE)


@pytest.fixture
def conversation(make_case, agent, other_agent):
    """On 8 February: a complaint, two replies by `agent` (who owns it), one by `other_agent`,
    then the customer's thanks."""
    clock.freeze(at(8, 9))
    case = make_case(body="My fridge arrived with a dent in the door.", email="noa@example.com")
    clock.freeze(at(8, 9, 30))
    lifecycle.case_reply(
        case=case, actor=agent, body="I am sorry about the dent, Noa. Could you send a photo?"
    )
    clock.freeze(at(8, 10))
    lifecycle.case_customer_message(case=case, body="Here it is, the dent is on the left.", channel="web")
    clock.freeze(at(8, 11))
    lifecycle.case_reply(case=case, actor=agent, body="Thank you. A new door will come on Tuesday.")
    lifecycle.case_reply(case=case, actor=other_agent, body="The courier will call you on Monday.")
    clock.freeze(at(8, 12))
    thanks = lifecycle.case_customer_message(
        case=case, body="Thank you so much, Dana was wonderful and very patient!", channel="web"
    )
    clock.freeze(at(8, 13))
    case.refresh_from_db()
    return {"case": case, "thanks": thanks}


@pytest.fixture
def outsider(db):
    """An agent of another team, and a lead of that team only."""
    other = team_create(name="Billing", slug="billing")
    agent = user_create(
        username="yael",
        email="yael@amends.test",
        full_name="Yael Outside",
        teams=[other],
        password="pw-for-tests-1",
    )
    lead = user_create(
        username="boris",
        email="boris@amends.test",
        full_name="Boris Lead",
        role=Role.LEAD,
        teams=[other],
        password="pw-for-tests-1",
    )
    return {"agent": agent, "lead": lead}
