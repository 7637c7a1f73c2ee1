"""The "Similar complaints" panel on the desk's case page: other customers' similar cases with
their similarity, this customer's earlier ones, only what the agent may open, two queries."""

import pytest
from django.urls import reverse

from amends.accounts.services import team_create, user_create
from amends.cases.models import Category
from amends.cases.services import lifecycle
from amends.insight.similar.selectors import similar_panel
from amends.insight.similar.tests.texts import NEAR_DUPLICATES, UNRELATED

pytestmark = pytest.mark.django_db


def _page(client, case, lang="en"):
    with_lang = reverse("desk:case", args=[case.public_id]).replace("/en/", f"/{lang}/", 1)
    return client.get(with_lang).content.decode()


def _open(make_case, body, who, lang="he"):
    return make_case(body=body, email=f"{who}@example.com", full_name=who.title(), language=lang)


def test_the_case_page_shows_similar_complaints_and_the_customers_earlier_one(client, agent, make_case):
    # given another customer's near-duplicate, and this customer's own earlier complaint
    first, second = NEAR_DUPLICATES["he"][0]
    other = _open(make_case, first, "ann")
    mine_before = _open(make_case, second, "ben")
    case = _open(make_case, second.replace("מיידית", "דחופה"), "ben")
    client.force_login(agent)
    # when the agent opens the case (in Hebrew)
    page = _page(client, case, "he")
    # then the panel lists the other customer's case with its similarity, and the earlier one
    panel = page[page.index('id="similar"') :]
    panel = panel[: panel.index("</section>")]
    assert other.reference in panel and "%" in panel
    assert reverse("desk:case", args=[other.public_id]).replace("/en/", "/he/") in panel
    assert 'id="similar-before"' in panel and mine_before.reference in panel


def test_an_agent_outside_the_team_does_not_see_its_case_in_the_panel(client, make_case, make_agent):
    # given a near-duplicate handed to another team
    delivery = team_create(name="Delivery", slug="delivery")
    dov = user_create(username="dov", email="dov@amends.test", full_name="Dov", teams=[delivery])
    lead = make_agent("Lior Lead", role="lead")
    agent = make_agent("Dana Levi")
    first, second = NEAR_DUPLICATES["en"][1]
    hidden = _open(make_case, first, "ann", "en")
    summary = "Double charge, Delivery refunds it this week"
    lifecycle.case_transfer(case=hidden, to_owner=dov, to_team=delivery, actor=lead, summary=summary)
    case = _open(make_case, second, "ben", "en")
    # then the agent's page does not name it, and says there is nothing similar
    client.force_login(agent)
    page = _page(client, case)
    assert hidden.reference not in page
    assert "No similar complaints from other customers within 90 days of this case." in page
    # while the lead sees it
    client.force_login(lead)
    assert hidden.reference in _page(client, case)


def test_the_panel_says_when_there_is_too_little_text(client, agent, make_case):
    case = _open(make_case, "😡😡😡 !!!", "ann", "en")
    client.force_login(agent)
    assert "Too little text to compare with other complaints." in _page(client, case)


def test_the_panel_costs_two_queries_however_many_cases_match(make_case, agent, django_assert_num_queries):
    # given five similar cases of other customers, two earlier ones of this customer (one of the
    # same category only), and unrelated ones
    late = Category.objects.create(code="late", name_en="Late")
    first, second = NEAR_DUPLICATES["ru"][0]
    for who in ("a", "b", "c", "d", "e"):
        _open(make_case, first, who, "ru")
        _open(make_case, UNRELATED["ru"], who + "x", "ru")
    _open(make_case, first, "zoe", "ru")
    earlier = _open(make_case, UNRELATED["ru"], "zoe", "ru")
    lifecycle.case_update(case=earlier, actor=agent, category=late)
    case = lifecycle.case_update(case=_open(make_case, second, "zoe", "ru"), actor=agent, category=late)
    # then the whole panel is two queries
    with django_assert_num_queries(2):
        panel = similar_panel(case, user=agent)
    assert len(panel.others) == 5 and len(panel.before) == 2
    assert {b.same_category for b in panel.before} == {True, False}
