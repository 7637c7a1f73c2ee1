"""The privacy admin: the access log searchable and read-only, the export and erase actions
on customers, for admins only (a lead is sent to the admin's login, staff without the
permission do not get the actions)."""

import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from amends.accounts.services import user_create
from amends.core import clock
from amends.core.models import AuditEvent
from amends.customers.models import Customer
from amends.privacy import events
from amends.privacy.models import AccessKind, AccessLogEntry
from amends.privacy.services.erasure import ERASED
from amends.privacy.tests.conftest import at

pytestmark = pytest.mark.django_db

LOG = reverse("admin:privacy_accesslogentry_changelist")
CUSTOMERS = reverse("admin:customers_customer_changelist")


def _look(client, user, case, moment) -> None:
    clock.freeze(moment)
    client.force_login(user)
    assert client.get(reverse("desk:case", kwargs={"public_id": case.public_id})).status_code == 200


@pytest.fixture
def looked(client, history, agent, lead):
    """Dana looked at Zephyrine's mail case on 1 April, Irina at Bertram's case on 3 April."""
    _look(client, agent, history.mail_case, at(2026, 4, 1, 10, 0))
    _look(client, lead, history.other_case, at(2026, 4, 3, 23, 30))
    client.logout()
    return history


def _actions(changelist_page) -> set[str]:
    form = changelist_page.context["action_form"]  # None when no action is offered
    return {name for name, _label in form.fields["action"].choices if name} if form else set()


def _found(client, **params) -> list[tuple[str, str]]:
    response = client.get(LOG, params)
    assert response.status_code == 200
    return [(e.user.username, e.case.reference) for e in response.context["cl"].result_list]


@pytest.mark.parametrize(
    "term",
    [
        "agent_username",
        "dana",
        "zephyrine.q@example.net",
        "Quillfeather",
        "customer_public_id",
        "mail_case_reference",
    ],
)
def test_admins_find_log_rows_by_staff_member_customer_or_case(client, admin_user, looked, agent, term):
    # given
    term = {
        "agent_username": agent.username,
        "customer_public_id": str(looked.customer.public_id),
        "mail_case_reference": looked.mail_case.reference.lower(),
    }.get(term, term)
    client.force_login(admin_user)
    # when / then
    assert _found(client, q=term) == [(agent.username, looked.mail_case.reference)]


def test_a_search_for_nobody_finds_nothing(client, admin_user, looked):
    client.force_login(admin_user)
    assert _found(client, q="nobody-by-this-name") == []


def test_the_date_range_includes_both_days_in_the_site_time_zone(client, admin_user, looked, lead):
    # given
    client.force_login(admin_user)
    # when / then: 3 April 23:30 in Jerusalem is 3 April, though 20:30 UTC
    assert _found(client, at__since="2026-04-02", at__until="2026-04-03") == [
        (lead.username, looked.other_case.reference)
    ]
    assert len(_found(client, at__since="2026-04-01")) == 2
    assert _found(client, at__until="2026-03-31") == []


def test_a_date_that_is_not_one_is_said_and_ignored(client, admin_user, looked):
    # given
    client.force_login(admin_user)
    # when
    response = client.get(LOG, {"at__since": "3rd of April"})
    # then
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 2
    assert ["is not a date" in str(m) for m in response.context["messages"]] == [True]


def test_the_log_cannot_be_added_changed_or_deleted(client, admin_user, looked):
    # given
    client.force_login(admin_user)
    entry = AccessLogEntry.objects.first()
    change = reverse("admin:privacy_accesslogentry_change", args=[entry.pk])
    # when / then
    assert client.get(reverse("admin:privacy_accesslogentry_add")).status_code == 403
    assert client.get(change).status_code == 200  # to read
    assert client.post(change, {"what": AccessKind.EXPORT}).status_code == 403
    assert client.post(reverse("admin:privacy_accesslogentry_delete", args=[entry.pk])).status_code == 403
    assert _actions(client.get(LOG)) == set()
    assert AccessLogEntry.objects.filter(what=AccessKind.EXPORT).count() == 0


def test_a_lead_is_sent_to_the_admin_login_and_gets_nothing(client, lead, history):
    # given
    client.force_login(lead)
    # when
    log = client.get(LOG)
    export = client.post(CUSTOMERS, {"action": "export_data", "_selected_action": [history.customer.pk]})
    erase = client.post(
        CUSTOMERS, {"action": "erase_customers", "_selected_action": [history.customer.pk], "confirm": "yes"}
    )
    # then
    for response in (log, export, erase):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert not AccessLogEntry.objects.exists()
    assert Customer.objects.get(pk=history.customer.pk).full_name == "Zephyrine Quillfeather"


def test_staff_without_the_privacy_permissions_do_not_get_the_actions(client, history):
    # given: a member of staff who may edit customers in the admin, nothing more
    clerk = user_create(
        username="clerk", email="clerk@amends.test", full_name="Clerk Kent", password="pw-123-x"
    )
    clerk.is_staff = True
    clerk.save(update_fields=["is_staff"])
    clerk.user_permissions.set(Permission.objects.filter(codename__in=["view_customer", "change_customer"]))
    client.force_login(clerk)
    # when
    page = client.get(CUSTOMERS)
    export = client.post(CUSTOMERS, {"action": "export_data", "_selected_action": [history.customer.pk]})
    erase = client.post(
        CUSTOMERS, {"action": "erase_customers", "_selected_action": [history.customer.pk], "confirm": "yes"}
    )
    log = client.get(LOG)
    # then
    assert not {"export_data", "export_data_with_notes", "erase_customers"} & _actions(page)
    # the posts just show the list again: no file, nothing erased, nothing logged
    assert [r["Content-Type"].split(";")[0] for r in (export, erase)] == ["text/html", "text/html"]
    assert log.status_code == 403
    assert not AccessLogEntry.objects.filter(what=AccessKind.EXPORT).exists()
    assert Customer.objects.get(pk=history.customer.pk).full_name == "Zephyrine Quillfeather"


@pytest.mark.parametrize(("action", "notes"), [("export_data", False), ("export_data_with_notes", True)])
def test_an_admin_downloads_one_customers_zip(client, admin_user, history, action, notes):
    # given
    client.force_login(admin_user)
    # when
    response = client.post(CUSTOMERS, {"action": action, "_selected_action": [history.customer.pk]})
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f'filename="customer-{history.customer.public_id}.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert ("spoke to Zephyrine by phone" in archive.read("customer.json").decode()) is notes
    assert AccessLogEntry.objects.get().what == AccessKind.EXPORT
    assert AuditEvent.objects.get(name=events.CUSTOMER_EXPORTED).actor == admin_user


def test_exporting_two_customers_at_once_is_refused_with_a_message(client, admin_user, history):
    # given
    client.force_login(admin_user)
    both = [history.customer.pk, history.other_case.customer_id]
    # when
    response = client.post(CUSTOMERS, {"action": "export_data", "_selected_action": both}, follow=True)
    # then
    assert "Choose exactly one customer to export." in response.content.decode()
    assert not AccessLogEntry.objects.exists()


def test_erasure_shows_what_it_will_do_and_erases_only_on_yes(client, admin_user, history):
    # given
    client.force_login(admin_user)
    chosen = {"action": "erase_customers", "_selected_action": [history.customer.pk]}
    # when: the first post asks
    asked = client.post(CUSTOMERS, chosen)
    # then
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Zephyrine Quillfeather" in page
    assert "2 cases" in page
    assert "still open" in page
    assert Customer.objects.get(pk=history.customer.pk).full_name == "Zephyrine Quillfeather"
    # when: the answer is yes
    done = client.post(CUSTOMERS, {**chosen, "confirm": "yes"}, follow=True)
    # then
    assert "1 customer erased." in done.content.decode()
    assert Customer.objects.get(pk=history.customer.pk).full_name == ERASED
    assert AuditEvent.objects.get(name=events.CUSTOMER_ERASED).actor == admin_user
    assert Customer.objects.get(pk=history.other_case.customer_id).full_name == "Bertram Other"
