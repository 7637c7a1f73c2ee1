import pytest

from amends.cases.choices import Decision, ResolutionType
from amends.cases.services import lifecycle


@pytest.fixture
def open_case(make_case):
    """A case from a customer of its own, by name; the body decides what it is about."""
    counter = {"n": 0}

    def make(body: str, *, language: str = "en", who: str = "", **overrides):
        counter["n"] += 1
        who = who or f"customer{counter['n']}"
        return make_case(
            body=body, full_name=who.title(), email=f"{who}@example.com", language=language, **overrides
        )

    return make


@pytest.fixture
def resolve():
    def run(case, actor):
        return lifecycle.case_resolve(
            case=case,
            actor=actor,
            resolution_type=ResolutionType.FIX,
            decision=Decision.UPHELD,
            summary="We replaced the faulty part and checked it works.",
        )

    return run
