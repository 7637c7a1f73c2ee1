"""The desk pages of customer value: the panel on the case, the figures form, the import
pages; agents read, leads and admins change."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from amends.customers.models import Customer, CustomerValueImport
from amends.customers.value.services import customer_value_set

pytestmark = pytest.mark.django_db


def _value(case, p="6", y="8", m="420"):
    customer_value_set(
        customer=case.customer,
        actor=None,
        purchases_per_year=Decimal(p),
        expected_years=Decimal(y),
        margin_per_purchase=Decimal(m),
    )


def _case_url(case, language="en"):
    return f"/{language}/desk/cases/{case.public_id}/"


def _edit_url(case, language="en"):
    return f"/{language}/desk/customer-value/{case.customer.public_id}/?case={case.public_id}"


def test_the_case_page_shows_the_value_in_the_readers_number_format(client, agent, case):
    # given
    _value(case, p="1.5", m="10000")
    client.force_login(agent)
    # when
    english = client.get(_case_url(case)).content.decode()
    russian = client.get(_case_url(case, "ru")).content.decode()
    # then
    assert 'id="customer-value"' in english
    assert "120,000" in english and "ILS" in english  # 1.5 × 8 × 10,000
    assert ">1.5<" in english
    assert "120\xa0000" in russian and ">1,5<" in russian
    assert 'id="value-edit"' not in english  # agents read only


def test_the_case_page_says_when_the_value_is_not_known_and_offers_leads_to_enter_it(client, lead, case):
    client.force_login(lead)
    body = client.get(_case_url(case)).content.decode()
    assert "Lifetime value not known yet." in body
    assert 'id="value-edit"' in body


def test_the_case_page_costs_no_query_for_the_panel(client, agent, case, django_assert_max_num_queries):
    """The panel reads the customer the page already loaded (the desk's own query-count test
    guards the whole page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(agent)
    with CaptureQueriesContext(connection) as before:
        client.get(_case_url(case))
    _value(case)
    with CaptureQueriesContext(connection) as after:
        client.get(_case_url(case))
    assert len(after) == len(before)


def test_an_agent_may_not_change_figures(client, agent, case):
    client.force_login(agent)
    assert client.get(_edit_url(case)).status_code == 403
    assert client.post(_edit_url(case), {"purchases_per_year": "1"}).status_code == 403


def test_a_lead_changes_figures_and_goes_back_to_the_case(client, lead, case):
    client.force_login(lead)
    assert client.get(_edit_url(case)).status_code == 200
    response = client.post(
        _edit_url(case), {"purchases_per_year": "2", "expected_years": "5", "margin_per_purchase": "99.90"}
    )
    assert response.status_code == 302 and response["Location"] == _case_url(case)
    customer = Customer.objects.get(pk=case.customer_id)
    assert customer.lifetime_value == Decimal("999.00")


def test_the_form_takes_the_decimal_comma_of_the_readers_language(client, lead, case):
    client.force_login(lead)
    response = client.post(
        _edit_url(case, "ru"),
        {"purchases_per_year": "1,5", "expected_years": "2", "margin_per_purchase": "10,25"},
    )
    assert response.status_code == 302
    assert Customer.objects.get(pk=case.customer_id).lifetime_value == Decimal("30.75")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"purchases_per_year": "-1"}, "A negative number is not allowed."),
        ({"expected_years": "150"}, "At most 100."),
        ({"margin_per_purchase": "lots"}, "Enter a number, such as 12 or 12.5."),
        ({"margin_per_purchase": "1.999"}, "At most two digits after the decimal separator."),
    ],
)
def test_bad_figures_are_refused_with_a_message(client, lead, case, data, message):
    client.force_login(lead)
    response = client.post(_edit_url(case), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Customer.objects.get(pk=case.customer_id).lifetime_value is None


def test_without_a_case_the_form_goes_back_to_the_imports(client, lead, case):
    client.force_login(lead)
    url = f"/en/desk/customer-value/{case.customer.public_id}/?case=not-an-id"
    response = client.post(url, {"purchases_per_year": "1"})
    assert response.status_code == 302 and response["Location"] == "/en/desk/customer-value/imports/"


def test_an_unknown_customer_is_not_found(client, lead, case):
    client.force_login(lead)
    assert client.get(f"/en/desk/customer-value/{case.public_id}/").status_code == 404


def test_empty_figures_make_the_value_unknown_again(client, lead, case):
    _value(case)
    client.force_login(lead)
    assert client.post(_edit_url(case), {"purchases_per_year": "6", "expected_years": "8"}).status_code == 302
    assert Customer.objects.get(pk=case.customer_id).lifetime_value is None


def test_the_raised_priority_is_explained_on_the_timeline(client, lead, case):
    from amends.cases.services.intake import case_open
    from amends.customers.models import ValuePriorityRule

    _value(case)
    ValuePriorityRule.objects.create(min_lifetime_value=Decimal(10_000), priority="high", note="Gold")
    again = case_open(
        channel="web", body="Again broken.", email="mary@example.com", full_name="Mary Customer"
    )
    client.force_login(lead)
    body = client.get(_case_url(again)).content.decode()
    assert "Priority raised by customer value: lifetime value 20,160 ILS, rule from 10,000 ILS" in body
    assert "Gold" in body


# -- imports -------------------------------------------------------------------------------

CSV = (
    b"email,purchases_per_year,expected_years,margin_per_purchase\n"
    b"mary@example.com,6,8,420\n"
    b"nobody@example.com,1,1,1\n"
    b"mary@example.com,x,1,1\n"
)


def test_agents_may_not_import(client, agent):
    client.force_login(agent)
    assert client.get("/en/desk/customer-value/imports/").status_code == 403
    upload = SimpleUploadedFile("v.csv", CSV, "text/csv")
    assert client.post("/en/desk/customer-value/imports/", {"file": upload}).status_code == 403
    assert not CustomerValueImport.objects.exists()


def test_a_lead_uploads_and_reads_the_report_line_by_line(client, lead, case):
    # given
    client.force_login(lead)
    # when
    response = client.post("/en/desk/customer-value/imports/", {"file": SimpleUploadedFile("v.csv", CSV)})
    # then
    value_import = CustomerValueImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/desk/customer-value/imports/{value_import.public_id}/"
    page = client.get(response["Location"]).content.decode()
    assert "1 line applied." in page and "2 lines not applied: see below." in page
    assert "No customer has this email address." in page
    assert "purchases_per_year: “x” is not a number." in page
    partial = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and 'id="value-import-progress"' in partial
    assert "hx-trigger" not in partial  # finished: the page stops polling
    listing = client.get("/en/desk/customer-value/imports/").content.decode()
    assert "v.csv" in listing


def test_the_report_is_in_the_readers_language_and_downloads_as_csv(client, lead, case):
    client.force_login(lead)
    client.post("/en/desk/customer-value/imports/", {"file": SimpleUploadedFile("v.csv", CSV)})
    value_import = CustomerValueImport.objects.get()
    response = client.get(f"/en/desk/customer-value/imports/{value_import.public_id}/problems.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines() == [
        "Line,Applied,Reason",
        "3,no,No customer has this email address.",
        "4,no,purchases_per_year: “x” is not a number.",
    ]


def test_a_running_import_polls_for_its_progress(client, lead, case, monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setattr(
        "amends.customers.tasks.value_import_task", SimpleNamespace(enqueue=lambda **kw: None)
    )
    client.force_login(lead)
    response = client.post("/en/desk/customer-value/imports/", {"file": SimpleUploadedFile("v.csv", CSV)})
    page = client.get(response["Location"]).content.decode()
    assert 'id="value-import-bar"' in page and 'hx-trigger="every 1s"' in page


def test_no_file_or_a_too_large_one_is_refused_with_a_message(client, lead, settings):
    client.force_login(lead)
    empty = client.post("/en/desk/customer-value/imports/", {})
    assert empty.status_code == 400 and "Choose a CSV file to upload." in empty.content.decode()
    settings.AMENDS_VALUE_IMPORT_MAX_BYTES = 10
    big = client.post("/en/desk/customer-value/imports/", {"file": SimpleUploadedFile("v.csv", CSV)})
    assert big.status_code == 400 and "larger than" in big.content.decode()


def test_a_file_level_error_reads_as_a_sentence(client, lead):
    client.force_login(lead)
    data = b"email,purchases_per_year\nmary@example.com,1\n"
    response = client.post("/en/desk/customer-value/imports/", {"file": SimpleUploadedFile("v.csv", data)})
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was imported." in page
    assert "These columns are missing from the first line: expected_years, margin_per_purchase." in page


def test_an_unknown_import_is_not_found(client, lead):
    client.force_login(lead)
    assert (
        client.get("/en/desk/customer-value/imports/00000000-0000-4000-8000-000000000000/").status_code == 404
    )
