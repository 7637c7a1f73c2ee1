"""Incidents (R-LE-4): affected cases linked in bulk by a queue filter, a search or similarity;
new complaints about an active incident linked and acknowledged in their language; and when it
is fixed, every affected customer told once, in their language, unless they opted out."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amends.core import clock
from amends.core.errors import PermissionDenied
from amends.core.models import AuditEvent
from amends.learning.models import IncidentCase, IncidentStatus, LinkHow
from amends.learning.services import incidents as incident_services
from amends.learning.services.incidents import (
    incident_cases_link,
    incident_declare,
    incident_fixed_notices_send,
    incident_update,
)
from amends.learning.services.screening import screening_run
from amends.learning.tests.texts import INVOICE, ROUTER, ROUTER_HE, UNRELATED
from amends.notify.models import Notification

pytestmark = pytest.mark.django_db

TEXT_EN = "A fault in the northern exchange cut home internet for some customers."
TEXT_HE = "תקלה במרכזייה הצפונית ניתקה את האינטרנט הביתי לחלק מהלקוחות."


@pytest.fixture
def incident(lead):
    return incident_declare(
        actor=lead,
        title="Northern exchange outage",
        started_at=clock.now() - timedelta(hours=2),
        keywords="router, נתב",
        public_text_en=TEXT_EN,
        public_text_he=TEXT_HE,
    )


def _cases_url(incident):
    return reverse("desk:incident-cases", kwargs={"public_id": incident.public_id})


def _linked_ids(incident):
    return set(IncidentCase.objects.filter(incident=incident).values_list("case_id", flat=True))


def test_a_lead_links_cases_by_a_queue_filter_after_seeing_how_many(client, lead, incident, open_case):
    # given two Hebrew complaints and an English one, all open
    hebrew = [open_case(ROUTER_HE, language="he"), open_case(INVOICE[0], language="he")]
    open_case(INVOICE[1])
    client.force_login(lead)
    data = {"mode": "filter", "queue": "open", "language": "he", "since_start": "on"}
    # when the lead counts the Hebrew cases since the incident started
    response = client.post(_cases_url(incident), data, HTTP_HX_REQUEST="true")
    # then the count comes back with a button to link them, and nothing is linked yet
    body = response.content.decode()
    assert "2 cases found." in body and "Link these 2 cases" in body
    assert not _linked_ids(incident)
    # when the lead confirms
    response = client.post(_cases_url(incident), {**data, "confirm": "True"}, HTTP_HX_REQUEST="true")
    # then exactly those are linked, from a filter, each with an event on its case
    assert response.status_code == 204 and "?linked=2" in response["HX-Redirect"]
    assert _linked_ids(incident) == {c.pk for c in hebrew}
    assert set(IncidentCase.objects.values_list("how", flat=True)) == {LinkHow.FILTER}
    for case in hebrew:
        event = AuditEvent.objects.get(target_type="case", target_id=case.pk, name="learning.incident_linked")
        assert event.data["title"] == incident.title and event.actor == lead


def test_a_lead_links_cases_found_by_a_search(client, lead, incident, open_case):
    wanted = open_case(ROUTER[0], who="yael")
    open_case(ROUTER[1], who="dan")
    client.force_login(lead)
    client.post(_cases_url(incident), {"mode": "search", "q": "yael@example.com", "confirm": "True"})
    assert _linked_ids(incident) == {wanted.pk}


def test_a_lead_links_cases_similar_to_a_chosen_case(client, lead, incident, open_case):
    # given three reports of the same outage and one about something else
    outage = [open_case(text) for text in ROUTER[:3]]
    open_case(UNRELATED)
    client.force_login(lead)
    # when the lead links the cases like the first one
    data = {"mode": "similar", "reference": outage[0].reference, "confirm": "True"}
    response = client.post(_cases_url(incident), data)
    # then the chosen case and those like it are linked, the other is not
    assert response.status_code == 302
    assert _linked_ids(incident) == {c.pk for c in outage}


def test_a_search_with_nothing_to_find_links_nothing(client, lead, incident):
    client.force_login(lead)
    response = client.post(
        _cases_url(incident), {"mode": "search", "q": "nobody@example.com", "confirm": "True"}
    )
    assert "No cases found that you may see." in response.content.decode()
    response = client.post(_cases_url(incident), {"mode": "search", "q": ""})
    assert response.status_code == 400 and "Type what to search for." in response.content.decode()


def test_too_many_cases_at_once_are_refused(lead, incident, open_case, monkeypatch):
    monkeypatch.setattr(incident_services, "BULK_LINK_MAX", 1)
    cases = [open_case(ROUTER[0]), open_case(ROUTER[1])]
    with pytest.raises(incident_services.TooManyCases):
        incident_cases_link(incident=incident, case_ids=[c.pk for c in cases], actor=lead)
    assert not _linked_ids(incident)


def test_agents_cannot_declare_or_link(agent, incident, case):
    with pytest.raises(PermissionDenied):
        incident_declare(actor=agent, title="Mine", public_text_en="x")
    with pytest.raises(PermissionDenied):
        incident_cases_link(incident=incident, case_ids=[case.pk], actor=agent)


def test_a_new_complaint_with_a_keyword_is_linked_and_acknowledged_in_its_language(incident, open_case):
    # given an active incident with keywords, when a Hebrew complaint mentions "הנתב"
    case = open_case(ROUTER_HE, language="he")
    # when the screening drain reads it
    screening_run()
    # then it is linked, matched on a keyword
    link = IncidentCase.objects.get(case=case)
    assert (link.incident_id, link.how, link.linked_by) == (incident.pk, LinkHow.MATCHED_KEYWORD, None)
    assert link.acknowledged_at is not None
    # and the customer is told, in Hebrew, what is known
    ack = Notification.objects.get(case=case, event="incident_ack")
    assert ack.language == "he" and TEXT_HE in ack.body and 'dir="rtl"' in ack.body_html
    assert f"[{case.reference}]" in ack.subject
    event = AuditEvent.objects.get(
        target_type="case", target_id=case.pk, name="learning.incident_acknowledged"
    )
    assert event.data["status"] == IncidentStatus.INVESTIGATING


def test_a_new_complaint_like_the_linked_cases_is_linked(lead, open_case):
    # given an incident without keywords, with one report linked
    incident = incident_declare(
        actor=lead, title="Outage", started_at=clock.now() - timedelta(hours=1), public_text_en=TEXT_EN
    )
    first = open_case(ROUTER[0])
    incident_cases_link(incident=incident, case_ids=[first.pk], actor=lead)
    screening_run()
    # when another customer reports the same outage, and someone writes about something else
    case = open_case(ROUTER[1])
    other = open_case(UNRELATED)
    screening_run()
    # then the report is linked by its similarity and acknowledged in English; the other is not
    assert IncidentCase.objects.get(case=case).how == LinkHow.MATCHED_SIMILAR
    ack = Notification.objects.get(case=case, event="incident_ack")
    assert ack.language == "en" and TEXT_EN in ack.body
    assert not IncidentCase.objects.filter(case=other).exists()


def test_a_customer_who_opted_out_is_linked_but_not_written_to(incident, open_case):
    # given a customer who chose not to hear about interruptions
    earlier = open_case(INVOICE[0], who="quiet")
    earlier.customer.notify_incidents = False
    earlier.customer.save(update_fields=["notify_incidents"])
    # when they complain about the outage
    case = open_case(ROUTER[0], who="quiet")
    screening_run()
    # then the case is linked but nothing is sent
    link = IncidentCase.objects.get(case=case)
    assert link.acknowledged_at is None
    assert not Notification.objects.filter(event="incident_ack").exists()


def test_complaints_before_the_incident_started_or_after_it_was_fixed_are_not_matched(
    lead, incident, open_case
):
    # given a complaint from before the incident started
    clock.freeze(clock.now() - timedelta(hours=3))
    old = open_case(ROUTER[0])
    clock.freeze(None)
    screening_run()
    assert not IncidentCase.objects.filter(case=old).exists()
    # when the incident is fixed and another complaint comes
    incident_update(incident=incident, actor=lead, status=IncidentStatus.FIXED)
    later = open_case(ROUTER[1])
    screening_run()
    assert not IncidentCase.objects.filter(case=later).exists()


def test_fixed_tells_every_affected_customer_once_in_their_language(
    client, lead, incident, open_case, mailoutbox
):
    # given three customers: one with two affected cases (English), one Hebrew, one opted out
    anna = [open_case(ROUTER[0], who="anna"), open_case(ROUTER[1], who="anna")]
    noa = open_case(ROUTER_HE, language="he", who="noa")
    igor = open_case(ROUTER[2], language="ru", who="igor")
    igor.customer.notify_incidents = False
    igor.customer.save(update_fields=["notify_incidents"])
    affected = [*anna, noa, igor]
    incident_cases_link(incident=incident, case_ids=[c.pk for c in affected], actor=lead)
    mailoutbox.clear()
    client.force_login(lead)
    # when the lead marks the incident fixed
    response = client.post(
        reverse("desk:incident-status", kwargs={"public_id": incident.public_id}), {"status": "fixed"}
    )
    # then the incident is fixed, and one mail went to each customer who wants to hear
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.FIXED and incident.fixed_at is not None
    notices = {n.to_address: n for n in Notification.objects.filter(event="incident_fixed")}
    assert set(notices) == {"anna@example.com", "noa@example.com"}
    assert sorted(m.to[0] for m in mailoutbox) == ["anna@example.com", "noa@example.com"]
    # Anna's names both her cases, about the newest, in English
    assert notices["anna@example.com"].case_id == anna[1].pk
    assert TEXT_EN in notices["anna@example.com"].body
    assert all(c.reference in notices["anna@example.com"].body for c in anna)
    # Noa's is in Hebrew, right to left
    noa_mail = notices["noa@example.com"]
    assert noa_mail.language == "he" and TEXT_HE in noa_mail.body and 'dir="rtl"' in noa_mail.body_html
    # and every case's record says what its customer was told
    told = {
        e.target_id: e.data["told"]
        for e in AuditEvent.objects.filter(name="learning.incident_fixed_told", target_type="case")
    }
    assert told == {anna[0].pk: True, anna[1].pk: True, noa.pk: True, igor.pk: False}
    # and running the notices again tells nobody twice
    assert incident_fixed_notices_send(incident_id=incident.pk) == 0
    assert Notification.objects.filter(event="incident_fixed").count() == 2


def test_fixed_again_after_it_came_back_tells_them_again(lead, incident, open_case):
    case = open_case(ROUTER[0])
    incident_cases_link(incident=incident, case_ids=[case.pk], actor=lead)
    incident_update(incident=incident, actor=lead, status=IncidentStatus.FIXED)
    incident_update(incident=incident, actor=lead, status=IncidentStatus.INVESTIGATING)
    assert IncidentCase.objects.get(case=case).fixed_notice_at is None
    incident_update(incident=incident, actor=lead, status=IncidentStatus.FIXED)
    assert Notification.objects.filter(event="incident_fixed", case=case).count() == 2


def _notice_queries(lead, open_case, monkeypatch, customers: int) -> int:
    """Queries to queue the fixed notices for `customers` customers of two cases each."""
    incident = incident_declare(actor=lead, title=f"Outage {customers}", public_text_en=TEXT_EN)
    cases = [open_case(text, who=f"c{customers}x{n}") for n in range(customers) for text in INVOICE]
    incident_cases_link(incident=incident, case_ids=[c.pk for c in cases], actor=lead)

    class NotNow:
        @staticmethod
        def enqueue(**kwargs):
            pass

    monkeypatch.setattr("amends.learning.tasks.incident_fixed_notices_task", NotNow)
    incident_update(incident=incident, actor=lead, status=IncidentStatus.FIXED)
    with CaptureQueriesContext(connection) as queries:
        assert incident_fixed_notices_send(incident_id=incident.pk) == customers
    return len(queries)


def test_the_fixed_notices_cost_the_same_queries_for_more_customers(lead, open_case, monkeypatch):
    """Queued in bulk: no query per customer or per case."""
    few = _notice_queries(lead, open_case, monkeypatch, 2)
    many = _notice_queries(lead, open_case, monkeypatch, 6)
    assert few == many


def test_the_fixed_notices_go_in_chunks_of_customers(lead, incident, open_case):
    # given five customers
    cases = [open_case(ROUTER[n % 4], who=f"chunk{n}") for n in range(5)]
    incident_cases_link(incident=incident, case_ids=[c.pk for c in cases], actor=lead)
    incident.status = IncidentStatus.FIXED
    incident.save(update_fields=["status"])
    # when the notices go two customers per transaction
    assert incident_fixed_notices_send(incident_id=incident.pk, chunk=2) == 5
    # then each customer got one
    assert Notification.objects.filter(event="incident_fixed").count() == 5
