"""customer_value_set, the priority rules at intake, and the demo figures."""

from decimal import Decimal

import pytest

from amends.cases.choices import Priority
from amends.cases.models import Case
from amends.cases.services.intake import Intake, cases_open
from amends.cases.services.value_priority import value_rules_for
from amends.core.errors import DomainError
from amends.core.models import AuditEvent
from amends.customers import events
from amends.customers.models import Customer, ValuePriorityRule
from amends.customers.value.services import customer_value_set, demo_load_customer_values

pytestmark = pytest.mark.django_db


def _set(customer, actor=None, p="6", y="8", m="420"):
    return customer_value_set(
        customer=customer,
        actor=actor,
        purchases_per_year=None if p is None else Decimal(p),
        expected_years=None if y is None else Decimal(y),
        margin_per_purchase=None if m is None else Decimal(m),
    )


def test_setting_figures_computes_the_lifetime_value_and_audits_it(make_customer, lead):
    # given
    customer = make_customer(email="noa@example.com")
    # when
    _set(customer, actor=lead)
    # then
    customer.refresh_from_db()
    assert customer.lifetime_value == Decimal("20160.00")
    assert customer.value_updated_at is not None
    event = AuditEvent.objects.get(name=events.VALUE_CHANGED, target_id=customer.pk)
    assert event.target_type == "customer"
    assert event.actor == lead
    assert event.changes["lifetime_value"] == [None, "20160.00"]
    assert event.changes["margin_per_purchase"] == [None, "420.00"]


def test_an_unknown_figure_makes_the_value_unknown(make_customer):
    customer = make_customer(email="a@example.com")
    _set(customer)
    _set(customer, y=None)
    customer.refresh_from_db()
    assert customer.expected_years is None and customer.lifetime_value is None


def test_the_same_figures_again_change_nothing(make_customer):
    customer = make_customer(email="a@example.com")
    _set(customer)
    _set(customer, p="6.00")
    assert AuditEvent.objects.filter(name=events.VALUE_CHANGED).count() == 1


@pytest.mark.parametrize(
    ("field", "figures", "code"),
    [
        ("purchases_per_year", {"p": "-1"}, "negative"),
        ("expected_years", {"y": "101"}, "too_large"),
        ("margin_per_purchase", {"m": "1000000000.01"}, "too_large"),
    ],
)
def test_bad_figures_are_refused_with_the_field(make_customer, field, figures, code):
    customer = make_customer(email="a@example.com")
    with pytest.raises(DomainError) as caught:
        _set(customer, **figures)
    assert caught.value.field == field and caught.value.code == code
    customer.refresh_from_db()
    assert customer.lifetime_value is None


def test_figures_are_rounded_to_cents(make_customer):
    customer = _set(make_customer(email="a@example.com"), p="1.005", y="1", m="10")
    assert customer.purchases_per_year == Decimal("1.01")
    assert customer.lifetime_value == Decimal("10.10")


# -- priority by value --------------------------------------------------------------------


def _intake(email: str, priority: str = Priority.NORMAL) -> Intake:
    return Intake(channel="web", body="It broke.", email=email, full_name="X", priority=priority)


@pytest.fixture
def rules(db):
    ValuePriorityRule.objects.create(min_lifetime_value=Decimal(10_000), priority=Priority.HIGH, note="Gold")
    ValuePriorityRule.objects.create(min_lifetime_value=Decimal(100_000), priority=Priority.URGENT)
    ValuePriorityRule.objects.create(min_lifetime_value=Decimal(1), priority=Priority.URGENT, is_active=False)


def test_a_valuable_customers_new_case_gets_the_rules_priority_with_an_event(make_customer, rules):
    # given: one customer worth 20,160, one worth 200,000, one unknown, one worth little
    _set(make_customer(email="gold@example.com"))
    _set(make_customer(email="platinum@example.com"), m="4166.67")
    make_customer(email="unknown@example.com")
    _set(make_customer(email="small@example.com"), m="1")
    # when: one batch, as the mail drain opens them
    cases = cases_open(
        [
            _intake("gold@example.com"),
            _intake("platinum@example.com"),
            _intake("unknown@example.com"),
            _intake("small@example.com"),
            _intake("new@example.com"),
        ]
    )
    # then
    assert [Case.objects.get(pk=c.pk).priority for c in cases] == [
        "high",
        "urgent",
        "normal",
        "normal",
        "normal",
    ]
    raised = AuditEvent.objects.filter(name=events.PRIORITY_RAISED_BY_VALUE).order_by("target_id")
    assert [e.target_id for e in raised] == [cases[0].pk, cases[1].pk]
    gold = raised[0]
    assert gold.changes == {"priority": ["normal", "high"]}
    assert gold.data["lifetime_value"] == "20160.00" and gold.data["min_lifetime_value"] == "10000.00"
    assert gold.data["note"] == "Gold" and gold.actor_label == "system"
    opened = AuditEvent.objects.get(name="cases.opened", target_id=cases[0].pk)
    assert opened.pk < gold.pk  # the timeline says "opened", then why it is high


def test_a_rule_never_lowers_a_priority(make_customer, rules):
    _set(make_customer(email="gold@example.com"))
    case = cases_open([_intake("gold@example.com", priority=Priority.URGENT)])[0]
    assert Case.objects.get(pk=case.pk).priority == Priority.URGENT
    assert not AuditEvent.objects.filter(name=events.PRIORITY_RAISED_BY_VALUE).exists()


def test_the_sla_clocks_follow_the_raised_priority(make_customer, rules):
    from amends.sla.models import Policy

    # given: a policy for high priority only, with a first-response target of 30 business minutes
    Policy.objects.create(name="VIP", position=0, priority=Priority.HIGH, first_response_minutes=30)
    _set(make_customer(email="gold@example.com"))
    # when
    gold, plain = cases_open([_intake("gold@example.com"), _intake("plain@example.com")])
    # then: the raised case is on the high-priority policy's clock, the other is not
    assert gold.priority == "high" and plain.priority == "normal"
    assert gold.first_response_due < plain.first_response_due


def test_rules_are_read_in_one_query_per_batch_and_none_without_values(
    make_customer, rules, django_assert_num_queries
):
    customers = [make_customer(email=f"c{i}@example.com") for i in range(5)]
    with django_assert_num_queries(0):
        assert value_rules_for(customers) == {}
    for c in customers:
        _set(c)
    customers = list(Customer.objects.filter(pk__in=[c.pk for c in customers]))
    with django_assert_num_queries(1):
        chosen = value_rules_for(customers)
    assert {r.priority for r in chosen.values()} == {"high"} and len(chosen) == 5


def test_demo_figures_are_set_on_the_demo_customers_and_loading_twice_is_harmless(make_customer):
    make_customer(email="noa.cohen@example.com")
    make_customer(phone="052-555-0142")
    assert demo_load_customer_values() == 2
    assert demo_load_customer_values() == 2
    noa = Customer.objects.get(identities__value="noa.cohen@example.com")
    assert noa.lifetime_value == Decimal("20160.00")
    assert ValuePriorityRule.objects.count() == 1
