"""Customer value in the admin: figures saved through the service, the lifetime value column
and band filter, the rules, the imports read-only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from amends.core.models import AuditEvent
from amends.customers import events
from amends.customers.models import Customer, ValuePriorityRule
from amends.customers.value.services import customer_value_set

pytestmark = pytest.mark.django_db

CUSTOMERS = reverse("admin:customers_customer_changelist")


def _form(customer: Customer, **figures) -> dict:
    return {
        "full_name": customer.full_name,
        "language": customer.language,
        "preferred_channel": customer.preferred_channel,
        "notify_incidents": "on",
        "address": "",
        "identities-TOTAL_FORMS": "0",
        "identities-INITIAL_FORMS": "0",
        "identities-MIN_NUM_FORMS": "0",
        "identities-MAX_NUM_FORMS": "1000",
        **figures,
    }


def test_an_admin_saves_figures_and_the_lifetime_value_follows_with_an_audit_row(
    client, admin_user, make_customer
):
    # given
    customer = make_customer(email="noa@example.com", full_name="Noa")
    client.force_login(admin_user)
    change = reverse("admin:customers_customer_change", args=[customer.pk])
    # when
    response = client.post(
        change, _form(customer, purchases_per_year="6", expected_years="8", margin_per_purchase="420")
    )
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    customer.refresh_from_db()
    assert customer.lifetime_value == Decimal("20160.00")
    event = AuditEvent.objects.get(name=events.VALUE_CHANGED)
    assert event.actor == admin_user and event.changes["purchases_per_year"] == [None, "6.00"]


def test_the_admin_refuses_a_negative_figure(client, admin_user, make_customer):
    customer = make_customer(email="noa@example.com", full_name="Noa")
    client.force_login(admin_user)
    change = reverse("admin:customers_customer_change", args=[customer.pk])
    response = client.post(change, _form(customer, purchases_per_year="-1"))
    assert response.status_code == 200  # the form again, with the error
    customer.refresh_from_db()
    assert customer.purchases_per_year is None


def test_the_list_shows_and_filters_by_value_band(client, admin_user, make_customer):
    rich = make_customer(email="rich@example.com", full_name="Rich Person")
    make_customer(email="unknown@example.com", full_name="Unknown Person")
    customer_value_set(
        customer=rich,
        actor=None,
        purchases_per_year=Decimal(10),
        expected_years=Decimal(10),
        margin_per_purchase=Decimal(1000),
    )
    client.force_login(admin_user)
    band = client.get(CUSTOMERS, {"value_band": "100k"}).content.decode()
    assert "Rich Person" in band and "Unknown Person" not in band
    unknown = client.get(CUSTOMERS, {"value_band": "unknown"}).content.decode()
    assert "Unknown Person" in unknown and "Rich Person" not in unknown
    assert client.get(CUSTOMERS, {"o": "3"}).status_code == 200  # sorted by lifetime value


def test_rules_and_imports_in_the_admin(client, admin_user):
    ValuePriorityRule.objects.create(min_lifetime_value=Decimal(1000), priority="high")
    client.force_login(admin_user)
    assert client.get(reverse("admin:customers_valuepriorityrule_changelist")).status_code == 200
    assert client.get(reverse("admin:customers_customervalueimport_changelist")).status_code == 200
    assert client.get(reverse("admin:customers_customervalueimport_add")).status_code == 403


def test_an_admin_adds_a_rule_choosing_among_the_case_priorities(client, admin_user):
    client.force_login(admin_user)
    add = reverse("admin:customers_valuepriorityrule_add")
    form = client.get(add).content.decode()
    assert 'value="urgent"' in form and 'value="low"' in form
    response = client.post(
        add, {"min_lifetime_value": "5000", "priority": "urgent", "note": "", "is_active": "on"}
    )
    assert response.status_code == 302
    rule = ValuePriorityRule.objects.get()
    assert str(rule) == "≥ 5000.00 → Urgent"
    refused = client.post(add, {"min_lifetime_value": "-1", "priority": "whatever", "is_active": "on"})
    assert refused.status_code == 200 and ValuePriorityRule.objects.count() == 1
