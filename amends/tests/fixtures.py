"""Fixtures shared by every app's tests. State is made with our own services."""

import pytest

from amends.accounts.models import Role
from amends.accounts.services import api_token_create, team_create, user_create
from amends.cases.choices import Channel
from amends.cases.services.intake import case_open


@pytest.fixture
def team(db):
    return team_create(name="Customer care", slug="care")


@pytest.fixture
def make_agent(db, team):
    counter = {"n": 0}

    def make(full_name: str = "", role: str = Role.AGENT, languages=None):
        counter["n"] += 1
        n = counter["n"]
        return user_create(
            username=f"user{n}",
            email=f"user{n}@amends.test",
            full_name=full_name or f"Agent Number{n}",
            password="pw-for-tests-1",
            role=role,
            languages=languages or ["en"],
            teams=[team],
        )

    return make


@pytest.fixture
def agent(make_agent):
    return make_agent("Dana Levi", languages=["he", "en"])


@pytest.fixture
def other_agent(make_agent):
    return make_agent("Omar Haddad", languages=["ar", "en"])


@pytest.fixture
def lead(make_agent):
    return make_agent("Irina Petrova", role=Role.LEAD)


@pytest.fixture
def admin_user(make_agent):
    return make_agent("Sam Admin", role=Role.ADMIN)


@pytest.fixture
def make_case(db):
    def make(**overrides):
        data = {
            "channel": Channel.WEB,
            "body": "The parcel never arrived.",
            "full_name": "Mary Customer",
            "email": "mary@example.com",
            "language": "en",
            "desired_outcome": "refund",
        }
        data.update(overrides)
        return case_open(**data)

    return make


@pytest.fixture
def case(make_case):
    return make_case()


@pytest.fixture
def hebrew_case(make_case):
    return make_case(
        body="ההזמנה שלי לא הגיעה כבר שבועיים",
        full_name="נועה כהן",
        email="noa@example.com",
        language="he",
    )


@pytest.fixture
def api_client(client, agent):
    _token, raw = api_token_create(user=agent, name="tests")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client
