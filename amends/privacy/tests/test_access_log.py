"""The staff access log (R-PR-1): every look at a customer's record from the desk or the admin
is one row, written with one INSERT and no read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amends.accounts.services import team_create
from amends.cases.models import Attachment
from amends.cases.services.lifecycle import case_transfer
from amends.core import clock
from amends.privacy.models import AccessKind, AccessLogEntry
from amends.privacy.tests.conftest import at

pytestmark = pytest.mark.django_db


def _case_page(case) -> str:
    return reverse("desk:case", kwargs={"public_id": case.public_id})


def test_the_case_page_is_logged_with_who_when_which_customer_and_case(client, agent, case):
    # given
    clock.freeze(at(2026, 5, 4, 10, 30))
    client.force_login(agent)
    # when
    response = client.get(_case_page(case), REMOTE_ADDR="198.51.100.7")
    # then
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.customer_id, entry.case_id, entry.what) == (
        agent,
        case.customer_id,
        case.pk,
        AccessKind.CASE_PAGE,
    )
    assert (entry.at, entry.ip) == (at(2026, 5, 4, 10, 30), "198.51.100.7")


def test_logging_costs_one_insert_and_no_read(client, agent, case):
    # given
    client.force_login(agent)
    # when
    with CaptureQueriesContext(connection) as queries:
        client.get(_case_page(case))
    # then
    on_the_log = [q["sql"] for q in queries if "privacy_accesslogentry" in q["sql"]]
    assert len(on_the_log) == 1
    assert on_the_log[0].lstrip().upper().startswith("INSERT")


def test_original_email_and_attachment_downloads_are_logged_with_what_was_opened(client, agent, history):
    # given
    client.force_login(agent)
    first = history.mail_case.messages.order_by("created_at", "id").first()
    attachment = Attachment.objects.get(message=first)
    # when
    original = client.get(
        reverse(
            "desk:mail-original",
            kwargs={"public_id": history.mail_case.public_id, "message_id": first.public_id},
        )
    )
    download = client.get(reverse("desk:attachment", kwargs={"public_id": attachment.public_id}))
    # then
    assert (original.status_code, download.status_code) == (200, 200)
    rows = list(AccessLogEntry.objects.order_by("id").values_list("what", "case_id", "detail"))
    assert rows == [
        (AccessKind.ORIGINAL_MAIL, history.mail_case.pk, str(first.public_id)),
        (AccessKind.ATTACHMENT, history.mail_case.pk, str(attachment.public_id)),
    ]


def test_a_case_out_of_sight_is_not_found_and_not_logged(client, make_agent, case):
    # given: an agent of another team, and a case of the first team
    other_team = team_create(name="Billing", slug="billing")
    owner = make_agent("Owner Person")
    case_transfer(
        case=case,
        to_owner=owner,
        to_team=owner.teams.get(),
        actor=owner,
        summary="Parcel lost; the courier is checking.",
    )
    outsider = make_agent("Out Sider")
    outsider.teams.set([other_team])
    client.force_login(outsider)
    # when
    response = client.get(_case_page(case))
    # then
    assert response.status_code == 404
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize(
    ("forwarded", "logged"),
    [("203.0.113.9, 10.0.0.1", "203.0.113.9"), ("not an address", None), ("", "127.0.0.1")],
)
def test_the_address_comes_from_the_trusted_proxy_header_and_only_a_real_one_is_kept(
    client, agent, case, settings, forwarded, logged
):
    # given
    settings.AMENDS_TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    client.force_login(agent)
    # when
    client.get(_case_page(case), HTTP_X_FORWARDED_FOR=forwarded)
    # then
    assert AccessLogEntry.objects.get().ip == logged


def test_the_customer_change_page_in_the_admin_is_logged(client, admin_user, case):
    # given
    client.force_login(admin_user)
    url = reverse("admin:customers_customer_change", args=[case.customer_id])
    # when
    shown = client.get(url)
    unknown = client.get(reverse("admin:customers_customer_change", args=[999999]))
    # then
    assert (shown.status_code, unknown.status_code) == (200, 302)
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.customer_id, entry.case_id, entry.what) == (
        admin_user,
        case.customer_id,
        None,
        AccessKind.ADMIN_CUSTOMER,
    )
