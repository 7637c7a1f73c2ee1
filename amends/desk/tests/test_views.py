import pytest
from django.urls import reverse

from amends.cases.choices import Status
from amends.cases.services import lifecycle

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _case_url(case, action=None):
    if action:
        return reverse("desk:case-action", args=[case.public_id, action])
    return reverse("desk:case", args=[case.public_id])


def test_desk_requires_login(client, case):
    for url in [reverse("desk:queue"), _case_url(case), reverse("desk:search") + "?q=x"]:
        response = client.get(url)
        assert response.status_code == 302 and "/desk/login/" in response["Location"]


def test_login_with_password(client, agent):
    response = client.post("/en/desk/login/", {"username": agent.username, "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert client.get("/en/desk/").status_code == 200


def test_queues_and_filters(client, agent, make_case):
    mine = make_case(email="mine@example.com")
    lifecycle.case_assign(case=mine, owner=agent, actor=agent)
    hebrew = make_case(email="he@example.com", language="he")
    client.force_login(agent)
    assert mine.reference in client.get("/en/desk/?queue=mine").content.decode()
    unassigned = client.get("/en/desk/?queue=unassigned").content.decode()
    assert hebrew.reference in unassigned and mine.reference not in unassigned
    filtered = client.get("/en/desk/?queue=open&language=he", **HTMX)
    body = filtered.content.decode()
    assert hebrew.reference in body and mine.reference not in body
    assert "<html" not in body  # an HTMX partial, not the whole page


def test_the_pager_keeps_the_filters_and_names_one_page(client, agent, make_case, monkeypatch):
    # given: three Hebrew cases, two to a page
    monkeypatch.setattr("amends.desk.views.PAGE_SIZE", 2)
    for i in range(3):
        make_case(email=f"p{i}@example.com", language="he")
    client.force_login(agent)
    # when: the second page is open
    body = client.get("/en/desk/?queue=open&language=he&page=2").content.decode()
    # then: "previous" goes to page 1 with the same filters, and "page" is given once
    assert "Page 2 of 2" in body
    assert 'href="?queue=open&amp;language=he&amp;page=1"' in body


def test_queue_query_count_does_not_grow_with_cases(client, agent, make_case, django_assert_max_num_queries):
    for i in range(30):
        make_case(email=f"q{i}@example.com")
    client.force_login(agent)
    with django_assert_max_num_queries(8):
        assert client.get("/en/desk/?queue=open").status_code == 200


def test_case_page_query_count(client, agent, case, django_assert_max_num_queries):
    for i in range(10):
        lifecycle.case_reply(case=case, actor=agent, body=f"reply {i}")
    client.force_login(agent)
    # 14 for the case, timeline and history; 4 for clocks, promises, escalations, follow-up;
    # 2 for similar complaints (fingerprints, then the cases to show); 2 for the problems and
    # incidents the case is linked to (learning); 1 for the suggested cause category (insight.suggest);
    # 2 for the case's quality reviews and kudos (quality; its messages come from the timeline).
    with django_assert_max_num_queries(25):
        assert client.get(_case_url(case)).status_code == 200


@pytest.mark.parametrize("query", ["reference", "email", "phone", "name"])
def test_find_a_case(client, agent, make_case, query):
    case = make_case(email="Finder@Example.com", phone="+972-54-765-4321", full_name="Yael Finder")
    make_case(email="someone@example.com", full_name="Other Person")
    text = {
        "reference": case.reference.lower().replace("-", " "),
        "email": "finder@example.com",
        "phone": "+972 54 765 4321",
        "name": "finder",
    }[query]
    client.force_login(agent)
    response = client.get(reverse("desk:search"), {"q": text})
    assert response.status_code == 302
    assert response["Location"] == _case_url(case)


def test_htmx_claim_and_lost_race_message(client, agent, other_agent, case):
    client.force_login(agent)
    response = client.post(_case_url(case, "claim"), **HTMX)
    assert response.status_code == 200
    assert "Dana Levi" in response.content.decode()
    client.force_login(other_agent)
    response = client.post(_case_url(case, "claim"), **HTMX)
    assert 'id="action-error"' in response.content.decode()
    assert "Dana Levi already took this case" in response.content.decode()
    case.refresh_from_db()
    assert case.owner == agent


def test_reply_transfer_resolve_through_the_desk(client, agent, other_agent, case, mailoutbox):
    client.force_login(agent)
    client.post(_case_url(case, "reply"), {"body": "Sorry for the wait, checking now."}, **HTMX)
    bad = client.post(_case_url(case, "transfer"), {"to_owner": other_agent.pk, "summary": "short"}, **HTMX)
    assert "at least 20 characters" in bad.content.decode()
    client.post(
        _case_url(case, "transfer"),
        {
            "to_owner": other_agent.pk,
            "summary": "Courier lost it; promised refund decision by Friday.",
        },
        **HTMX,
    )
    client.force_login(other_agent)
    client.post(
        _case_url(case, "resolve"),
        {
            "resolution_type": "refund",
            "decision": "upheld",
            "summary": "Refund of 30 EUR sent.",
            "redress_amount": "30",
            "redress_currency": "EUR",
        },
        **HTMX,
    )
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.owner == other_agent
    assert [m.subject.split(" [")[0] for m in mailoutbox][-1].startswith("Your complaint has been resolved")


def test_invalid_form_in_non_htmx_post_shows_errors(client, agent, case):
    client.force_login(agent)
    response = client.post(_case_url(case, "resolve"), {"resolution_type": "", "decision": "", "summary": ""})
    assert response.status_code == 400


def test_unknown_action_and_case_are_404(client, agent, case):
    client.force_login(agent)
    assert client.post(_case_url(case, "explode")).status_code == 404
    assert client.get("/en/desk/cases/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_outbox_is_for_leads_and_admins(client, agent, lead, case):
    client.force_login(agent)
    assert client.get(reverse("desk:outbox")).status_code == 403
    client.force_login(lead)
    assert client.get(reverse("desk:outbox")).status_code == 200


def test_agent_logs_a_phone_complaint_and_owns_it(client, agent, mailoutbox):
    client.force_login(agent)
    form = {
        "channel": "phone",
        "full_name": "Игорь",
        "phone": "+7 912 000 11 22",
        "email": "",
        "language": "ru",
        "order_number": "",
        "body": "Звонил: курьер не приехал.",
        "desired_outcome": "apology",
        "take_it": "on",
        "submission_token": "phone-1",
    }
    response = client.post(reverse("desk:case-log"), form)
    assert response.status_code == 302
    from amends.cases.models import Case

    case = Case.objects.get()
    assert case.channel == "phone" and case.owner == agent and case.language == "ru"
    assert client.post(reverse("desk:case-log"), form)["Location"] == response["Location"]
    assert (
        client.post(reverse("desk:case-log"), {**form, "phone": "", "submission_token": "2"}).status_code
        == 400
    )
