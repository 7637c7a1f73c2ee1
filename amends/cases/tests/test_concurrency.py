"""Two agents claim the same case at the same moment, in real concurrent transactions."""

import threading

import pytest
from django.db import connections

from amends.cases.services import lifecycle
from amends.core.errors import Conflict


@pytest.mark.django_db(transaction=True)
def test_simultaneous_claims_exactly_one_wins(make_case, agent, other_agent):
    case = make_case()
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def claim(user):
        try:
            barrier.wait(timeout=10)
            lifecycle.case_assign(case=case, owner=user, actor=user)
            outcomes[user.username] = "won"
        except Conflict as exc:
            outcomes[user.username] = str(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (agent, other_agent)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    case.refresh_from_db()
    assert sorted(v == "won" for v in outcomes.values()) == [False, True]
    winner = agent if outcomes[agent.username] == "won" else other_agent
    loser = other_agent if winner == agent else agent
    assert case.owner == winner
    assert winner.full_name in outcomes[loser.username]
