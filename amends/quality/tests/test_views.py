"""The desk's quality pages: a lead reviews from the case page, agents see only their own
reviews and page, kudos from the case page (with and without HTMX)."""

import pytest
from django.urls import reverse

from amends.quality.models import Kudos, Review
from amends.quality.services.kudos import kudos_from_message
from amends.quality.services.reviews import review_save
from amends.quality.tests.conftest import ALL_MET


def _form(scores=ALL_MET, **extra):
    data = {f"rating_{code}": rating for code, (rating, _comment) in scores.items()}
    data.update({f"comment_{code}": comment for code, (_rating, comment) in scores.items()})
    data.update(extra)
    return data


def test_the_case_page_offers_a_lead_the_review(client, conversation, lead, agent):
    client.force_login(lead)
    page = client.get(
        reverse("desk:case", kwargs={"public_id": conversation["case"].public_id})
    ).content.decode()
    assert 'id="quality"' in page
    assert reverse("desk:quality-review-case", kwargs={"public_id": conversation["case"].public_id}) in page
    # and suggests the customer's thanks as kudos
    assert "praise-suggestion" in page and "wonderful" in page


def test_the_case_page_offers_an_agent_kudos_but_no_review(client, conversation, agent):
    client.force_login(agent)
    page = client.get(
        reverse("desk:case", kwargs={"public_id": conversation["case"].public_id})
    ).content.decode()
    assert 'id="kudos-form"' in page
    assert 'id="review-start"' not in page


def test_a_lead_scores_a_conversation(client, conversation, lead, agent, other_agent):
    # given
    case = conversation["case"]
    url = reverse("desk:quality-review-case", kwargs={"public_id": case.public_id})
    client.force_login(lead)
    # when the lead opens the review: the conversation beside the scorecard, the owner picked
    page = client.get(url).content.decode()
    assert "Could you send a photo?" in page and "The courier will call you on Monday." in page
    assert 'name="rating_listens"' in page
    assert f'<option value="{agent.pk}" selected' in page
    # when they score the other agent
    response = client.post(
        url,
        _form({**ALL_MET, "listens": ("partly", "Cut in once.")}, agent=str(other_agent.pk), comment="Good."),
    )
    # then the review is saved and shown
    review = Review.objects.get()
    assert (review.agent, review.reviewer, review.score) == (other_agent, lead, 93)
    assert response.status_code == 302
    assert response.url == reverse("desk:quality-review", kwargs={"public_id": review.public_id})
    shown = client.get(response.url).content.decode()
    assert "93%" in shown and "Cut in once." in shown and 'id="review-change"' in shown
    # and the case history names the review (no score)
    history = client.get(reverse("desk:case", kwargs={"public_id": case.public_id})).content.decode()
    assert "Conversation reviewed for quality" in history


def test_a_review_with_a_criterion_left_out_shows_the_error(client, conversation, lead):
    scores = dict(ALL_MET)
    del scores["tests_understanding"]
    client.force_login(lead)
    url = reverse("desk:quality-review-case", kwargs={"public_id": conversation["case"].public_id})
    response = client.post(url, _form(scores))
    assert response.status_code == 400
    assert "Rate this, or mark it not applicable." in response.content.decode()
    assert not Review.objects.exists()


def test_agents_may_not_open_the_review_form(client, conversation, agent):
    client.force_login(agent)
    url = reverse("desk:quality-review-case", kwargs={"public_id": conversation["case"].public_id})
    assert client.get(url).status_code == 403
    assert client.post(url, _form()).status_code == 403


def test_an_agent_reads_their_own_review_but_not_anothers(client, conversation, lead, agent, other_agent):
    case = conversation["case"]
    mine = review_save(case=case, agent=agent, reviewer=lead, scores=ALL_MET)
    theirs = review_save(case=case, agent=other_agent, reviewer=lead, scores=ALL_MET)
    client.force_login(agent)
    page = client.get(reverse("desk:quality-review", kwargs={"public_id": mine.public_id}))
    assert page.status_code == 200
    assert 'id="review-change"' not in page.content.decode()  # read-only
    assert (
        client.get(reverse("desk:quality-review", kwargs={"public_id": theirs.public_id})).status_code == 403
    )
    unknown = reverse("desk:quality-review", kwargs={"public_id": "00000000-0000-4000-8000-000000000000"})
    assert client.get(unknown).status_code == 404
    # and on the case page the agent sees only their own review
    case_page = client.get(reverse("desk:case", kwargs={"public_id": case.public_id})).content.decode()
    assert str(mine.public_id) in case_page and str(theirs.public_id) not in case_page


def test_agents_see_their_own_page_only(client, conversation, agent, other_agent):
    client.force_login(agent)
    assert client.get(reverse("desk:quality-agent", kwargs={"agent_id": agent.pk})).status_code == 200
    assert client.get(reverse("desk:quality-agent", kwargs={"agent_id": other_agent.pk})).status_code == 403
    assert client.get(reverse("desk:quality-agent", kwargs={"agent_id": 999999})).status_code == 404
    # the Quality page takes an agent to their own page
    response = client.get(reverse("desk:quality"))
    assert response.status_code == 302
    assert response.url == reverse("desk:quality-agent", kwargs={"agent_id": agent.pk})


def test_a_lead_sees_the_agents_of_their_teams(client, conversation, lead, agent, other_agent, outsider):
    review_save(case=conversation["case"], agent=agent, reviewer=lead, scores=ALL_MET)
    client.force_login(lead)
    page = client.get(reverse("desk:quality")).content.decode()
    assert agent.full_name in page and other_agent.full_name in page
    assert outsider["agent"].full_name not in page
    assert conversation["case"].reference in page  # the recent reviews
    assert client.get(reverse("desk:quality-agent", kwargs={"agent_id": agent.pk})).status_code == 200
    assert (
        client.get(reverse("desk:quality-agent", kwargs={"agent_id": outsider["agent"].pk})).status_code
        == 403
    )
    # the other team's lead sees neither the agent nor the review
    client.force_login(outsider["lead"])
    assert client.get(reverse("desk:quality-agent", kwargs={"agent_id": agent.pk})).status_code == 403
    assert conversation["case"].reference not in client.get(reverse("desk:quality")).content.decode()


def test_the_quality_page_filters_by_agent_and_period(client, conversation, lead, agent, other_agent):
    case = conversation["case"]
    review_save(case=case, agent=agent, reviewer=lead, scores=ALL_MET)
    client.force_login(lead)
    url = reverse("desk:quality")
    assert case.reference in client.get(url, {"agent": agent.pk, "month": "2026-02"}).content.decode()
    assert (
        case.reference not in client.get(url, {"agent": other_agent.pk, "month": "2026-02"}).content.decode()
    )
    assert case.reference not in client.get(url, {"month": "2026-01"}).content.decode()
    page = client.get(url, {"month": "nonsense"}).content.decode()
    assert "The month must look like 2026-03." in page


def test_kudos_marked_on_the_case_page_over_htmx(client, conversation, agent):
    case = conversation["case"]
    client.force_login(agent)
    url = reverse("desk:quality-kudos-add", kwargs={"public_id": case.public_id})
    response = client.post(
        url,
        {"message": str(conversation["thanks"].public_id), "agent": agent.pk, "quote": "Dana was wonderful"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    kudos = Kudos.objects.get()
    assert (kudos.agent, kudos.quote, kudos.captured_by) == (agent, "Dana was wonderful", agent)
    assert 'id="quality"' in response.content.decode() and "Dana was wonderful" in response.content.decode()
    # a quote the customer never wrote is refused, next to the field
    response = client.post(
        url,
        {"message": str(conversation["thanks"].public_id), "agent": agent.pk, "quote": "Best agent ever"},
        HTTP_HX_REQUEST="true",
    )
    assert "Quote the customer&#x27;s own words" in response.content.decode()
    assert Kudos.objects.count() == 1


def test_kudos_without_htmx_redirect_or_show_the_errors(client, conversation, agent, other_agent):
    case = conversation["case"]
    client.force_login(agent)
    url = reverse("desk:quality-kudos-add", kwargs={"public_id": case.public_id})
    data = {"message": str(conversation["thanks"].public_id), "agent": other_agent.pk}
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url.endswith("#quality")
    again = client.post(url, data)
    assert again.status_code == 400
    assert "already kudos" in again.content.decode()


def test_kudos_are_taken_back_by_whoever_marked_them_or_a_lead(
    client, conversation, agent, other_agent, lead
):
    kudos = kudos_from_message(message=conversation["thanks"], agent=agent, actor=agent)
    url = reverse("desk:quality-kudos-delete", kwargs={"public_id": kudos.public_id})
    client.force_login(other_agent)
    assert client.post(url).status_code == 403
    client.force_login(lead)
    assert client.post(url).status_code == 302
    assert not Kudos.objects.exists()


@pytest.mark.parametrize("language", ["en", "he", "ar", "ru"])
def test_the_pages_render_in_every_language(client, conversation, lead, agent, language):
    review = review_save(case=conversation["case"], agent=agent, reviewer=lead, scores=ALL_MET)
    client.force_login(lead)
    for url in (
        reverse("desk:quality"),
        reverse("desk:quality-agent", kwargs={"agent_id": agent.pk}),
        reverse("desk:quality-review", kwargs={"public_id": review.public_id}),
        reverse("desk:quality-review-case", kwargs={"public_id": conversation["case"].public_id}),
    ):
        localised = url.replace("/en/", f"/{language}/", 1)
        response = client.get(localised)
        assert response.status_code == 200, localised
        assert f'lang="{language}"' in response.content.decode()
