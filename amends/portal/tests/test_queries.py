"""The portal's pages stay cheap (issue 5, point 8): a fixed number of queries however many
cases, messages, files and promises there are. bench/portal.py measures the time."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amends.cases.services import lifecycle
from amends.core import clock
from amends.portal.services import portal_case_link
from amends.sla.sweeper import sla_sweep

pytestmark = pytest.mark.django_db

JLM = ZoneInfo("Asia/Jerusalem")
CASE_PAGE_QUERIES = 7  # session, sign-out check, case, messages, files, promises, satisfaction check
CASE_LIST_QUERIES = 3  # session, sign-out check, cases with their owners


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def _busy_case(make_case, agent, *, rounds: int):
    """A resolved case with `rounds` exchanges: the customer's words with a file, a reply with
    a promise, an internal note; then its satisfaction check sent."""
    case = make_case()
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    for n in range(rounds):
        lifecycle.case_customer_message(
            case=case,
            body=f"Still waiting ({n}).",
            channel="web",
            attachments=[SimpleUploadedFile(f"photo-{n}.pdf", b"%PDF-1.4 photo")],
        )
        lifecycle.case_reply(
            case=case, actor=agent, body=f"Checking ({n}).", promise_due=clock.now() + timedelta(days=1)
        )
        lifecycle.case_note(case=case, actor=agent, body=f"Note {n}")
    lifecycle.case_resolve(
        case=case, actor=agent, resolution_type="refund", decision="upheld", summary="Refunded."
    )
    return case


def test_the_case_page_costs_the_same_few_queries_however_long_the_story(client, make_case, agent):
    # given: a short and a long story of the same customer, each with its check sent
    clock.freeze(datetime(2026, 11, 26, 10, 0, tzinfo=JLM))
    short = _busy_case(make_case, agent, rounds=1)
    long = _busy_case(make_case, agent, rounds=12)
    clock.freeze(datetime(2026, 11, 30, 10, 1, tzinfo=JLM))
    sla_sweep()
    client.get("/" + portal_case_link(short).split("/", 3)[3])
    client.get("/" + portal_case_link(long).split("/", 3)[3])
    # when
    counts = [_queries(client, f"/en/portal/cases/{case.public_id}/") for case in (short, long)]
    # then: no query per message, file, promise or check
    assert counts == [CASE_PAGE_QUERIES, CASE_PAGE_QUERIES]


def test_the_case_list_costs_the_same_few_queries_however_many_cases(client, make_case, agent):
    # given: one case, then twenty more with owners, of the same customer
    first = make_case()
    client.get("/" + portal_case_link(first).split("/", 3)[3])
    session = client.session
    session["amends.portal"]["cases"] = None  # signed in: every case of the customer
    session.save()
    few = _queries(client, "/en/portal/cases/")
    for _n in range(20):
        lifecycle.case_assign(case=make_case(), owner=agent, actor=agent)
    # when
    many = _queries(client, "/en/portal/cases/")
    # then
    assert (few, many) == (CASE_LIST_QUERIES, CASE_LIST_QUERIES)
    assert client.get("/en/portal/cases/").content.decode().count("/en/portal/cases/") >= 21
