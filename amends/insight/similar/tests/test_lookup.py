"""Similar complaints found across the four scripts, for other customers, within the window;
this customer's earlier cases about the same thing; and only cases the agent may see."""

from datetime import timedelta

import pytest

from amends.accounts.services import team_create, user_create
from amends.cases.models import Category
from amends.cases.services import lifecycle
from amends.core import clock
from amends.insight.similar.selectors import State, same_customer_before, similar_cases, similar_panel
from amends.insight.similar.tests.texts import NEAR_DUPLICATES, UNRELATED

pytestmark = pytest.mark.django_db

PAIRS = [(lang, i) for lang, pairs in NEAR_DUPLICATES.items() for i in range(len(pairs))]


def _open(make_case, body, *, who, lang="en"):
    return make_case(body=body, email=f"{who}@example.com", full_name=who.title(), language=lang)


@pytest.mark.parametrize(("lang", "index"), PAIRS)
def test_a_near_duplicate_from_another_customer_is_found(make_case, lang, index):
    # given two customers reporting the same fault in other words, and a third about another
    first, second = NEAR_DUPLICATES[lang][index]
    earlier = _open(make_case, first, who="ann", lang=lang)
    unrelated = _open(make_case, UNRELATED[lang], who="carl", lang=lang)
    # when the second one opens
    case = _open(make_case, second, who="ben", lang=lang)
    # then the first is its most similar case, and the unrelated one is not offered
    found = similar_cases(case)
    assert [s.case.pk for s in found] == [earlier.pk]
    assert 0.4 <= found[0].similarity <= 1
    assert similar_cases(unrelated) == []


def test_the_same_customer_is_not_among_similar_cases_but_complained_before(make_case):
    # given one customer writing the same complaint twice
    first, second = NEAR_DUPLICATES["en"][0]
    earlier = _open(make_case, first, who="ann")
    # when the second case opens
    case = _open(make_case, second, who="ann")
    # then it is not "another customer's" similar case, but the customer's earlier one
    assert similar_cases(case) == []
    before = same_customer_before(case)
    assert [b.case.pk for b in before] == [earlier.pk]
    assert before[0].similarity >= 0.4 and not before[0].same_category
    # and the earlier case has nothing before it
    assert same_customer_before(earlier) == []


def test_the_same_category_counts_as_the_same_thing_before(make_case, agent):
    # given a customer's earlier case in "delays", about something worded differently
    delays = Category.objects.create(code="late", name_en="Late")
    earlier = _open(make_case, NEAR_DUPLICATES["en"][1][0], who="ann")
    lifecycle.case_update(case=earlier, actor=agent, category=delays)
    unrelated_earlier = _open(make_case, UNRELATED["en"], who="ann")
    # when their new case is put in the same category
    case = _open(make_case, NEAR_DUPLICATES["en"][0][0], who="ann")
    case = lifecycle.case_update(case=case, actor=agent, category=delays)
    # then the earlier case of that category is "the same thing before", the other one is not
    before = same_customer_before(case)
    assert [(b.case.pk, b.similarity, b.same_category) for b in before] == [(earlier.pk, None, True)]
    assert unrelated_earlier.pk not in [b.case.pk for b in before]


def test_only_cases_within_the_window_are_similar(make_case, settings):
    # given a near-duplicate opened 100 days before
    first, second = NEAR_DUPLICATES["ru"][0]
    clock.freeze(clock.now() - timedelta(days=100))
    old = _open(make_case, first, who="ann", lang="ru")
    clock.freeze(None)
    case = _open(make_case, second, who="ben", lang="ru")
    # then with the default 90-day window it is not offered
    assert similar_cases(case) == []
    # and with a 120-day window it is
    settings.AMENDS_SIMILAR_DAYS = 120
    assert [s.case.pk for s in similar_cases(case)] == [old.pk]


def test_the_limit_keeps_the_most_similar(make_case):
    # given the same complaint from three other customers, one of them word for word
    first, second = NEAR_DUPLICATES["he"][0]
    exact = _open(make_case, second, who="ann", lang="he")
    _open(make_case, first, who="ben", lang="he")
    _open(make_case, first, who="carl", lang="he")
    case = _open(make_case, second, who="dana", lang="he")
    # then the word-for-word one comes first, and the limit holds
    found = similar_cases(case, limit=2)
    assert len(found) == 2 and found[0].case.pk == exact.pk and found[0].similarity == 1.0
    assert found[0].percent == 100


def test_an_agent_sees_only_similar_cases_they_may_open(make_case, make_agent, team):
    # given another team's case, owned there, and a near-duplicate in the agent's team
    delivery = team_create(name="Delivery", slug="delivery")
    dov = user_create(username="dov", email="dov@amends.test", full_name="Dov", teams=[delivery])
    lead = make_agent("Lior Lead", role="lead")
    agent = make_agent("Dana Levi")
    first, second = NEAR_DUPLICATES["ar"][0]
    hidden = _open(make_case, first, who="ann", lang="ar")
    summary = "Broken fridge door, Delivery replaces it"
    lifecycle.case_transfer(case=hidden, to_owner=dov, to_team=delivery, actor=lead, summary=summary)
    case = _open(make_case, second, who="ben", lang="ar")
    # then the agent outside Delivery is not shown it; the lead is
    assert similar_cases(case, user=agent) == []
    assert [s.case.pk for s in similar_cases(case, user=lead)] == [hidden.pk]
    assert similar_panel(case, user=agent).state == State.READY


def test_too_little_text_is_said_so(make_case):
    # given a complaint of a few words and emoji
    case = _open(make_case, "Help!!! 😡😡😡", who="ann")
    # then the panel says there is too little text, and nothing is similar to it
    panel = similar_panel(case)
    assert panel.state == State.TOO_SHORT and panel.others == [] and panel.before == []
