"""Writes for customer value: the figures entered by staff, the rules a new case's priority is
raised by (read here, applied by cases.services.value_priority), and the demo figures."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from amends.core import clock
from amends.core.audit import record_event
from amends.core.errors import DomainError
from amends.customers import events
from amends.customers.models import Customer, ValuePriorityRule
from amends.customers.value.figures import FIGURES, LIMITS, FigureError, check_figure, lifetime_value

VALUE_FIELDS = [*FIGURES, "lifetime_value", "value_updated_at", "value_import", "value_import_line"]


def figure_error_message(code: str, *, limit: Decimal | None = None) -> str:
    """One sentence for a figure that cannot be used (form and service share it)."""
    if code == "negative":
        return _("A negative number is not allowed.")
    if code == "too_large":
        return _("At most %(limit)s.") % {"limit": f"{limit:,}"}
    return _("Enter a number.")


@transaction.atomic
def customer_value_set(
    *,
    customer: Customer,
    actor: Any,
    purchases_per_year: Decimal | None,
    expected_years: Decimal | None,
    margin_per_purchase: Decimal | None,
) -> Customer:
    """Set the three figures (None: not known) and the lifetime value from them, audited with
    before and after. Raises DomainError (with the field) for a negative or too large figure."""
    wanted: dict[str, Decimal | None] = {}
    given = {
        "purchases_per_year": purchases_per_year,
        "expected_years": expected_years,
        "margin_per_purchase": margin_per_purchase,
    }
    for name, value in given.items():
        try:
            wanted[name] = check_figure(name, value)
        except FigureError as exc:
            raise DomainError(
                figure_error_message(exc.code, limit=LIMITS[name]), code=exc.code, field=name
            ) from exc
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    changes = {
        name: (getattr(customer, name), value)
        for name, value in wanted.items()
        if getattr(customer, name) != value
    }
    ltv = lifetime_value(*(wanted[name] for name in FIGURES))
    if ltv != customer.lifetime_value:
        changes["lifetime_value"] = (customer.lifetime_value, ltv)
    if not changes:
        return customer
    for name, figure in wanted.items():
        setattr(customer, name, figure)
    customer.lifetime_value = ltv
    customer.value_updated_at = clock.now()
    customer.value_import = None  # entered by hand now, not from an import line
    customer.value_import_line = None
    customer.save(update_fields=VALUE_FIELDS)
    record_event(name=events.VALUE_CHANGED, target=customer, actor=actor, changes=changes)
    return customer


# -- priority by customer value: the rules (applied by cases.services.value_priority) -------


def value_rules_matching(customers: Iterable[Customer]) -> dict[int, list[ValuePriorityRule]]:
    """For each customer (by id) whose lifetime value is known, the active rules it meets,
    highest threshold first. One query for the batch, none when no customer's value is known."""
    values = {c.pk: c.lifetime_value for c in customers if c.lifetime_value is not None}
    if not values:
        return {}
    rules = list(
        ValuePriorityRule.objects.filter(
            is_active=True, min_lifetime_value__lte=max(values.values())
        ).order_by("-min_lifetime_value", "id")
    )
    return {pk: [r for r in rules if value >= r.min_lifetime_value] for pk, value in values.items()}


# -- demo ------------------------------------------------------------------------------------

# (email or phone, purchases per year, expected years, margin per purchase) for demo_load's customers.
DEMO_FIGURES = [
    ("noa.cohen@example.com", "6", "8", "420"),
    ("052-555-0142", "12", "10", "95.50"),
    ("layla.hassan@example.com", "2", "5", "1250"),
    ("khaled.m@example.com", "24", "6", "310"),
    ("anna.smirnova@example.com", "1.5", "4", "180"),
    ("tom.baker@example.com", "0.5", "3", "60"),
]
DEMO_RULES = [(Decimal(20_000), "high", "Customers worth 20,000 or more: answer them first.")]


@transaction.atomic
def demo_load_customer_values() -> int:
    """Give some of the demo customers value figures and add one priority rule (idempotent:
    figures are set, not added; the rule is added once). Returns how many customers got figures."""
    from amends.customers.models import CustomerIdentity, IdentityKind
    from amends.customers.services import normalise_email, normalise_phone

    done = 0
    for contact, purchases, years, margin in DEMO_FIGURES:
        kind = IdentityKind.EMAIL if "@" in contact else IdentityKind.PHONE
        value = normalise_email(contact) if kind == IdentityKind.EMAIL else normalise_phone(contact)
        identity = CustomerIdentity.objects.select_related("customer").filter(kind=kind, value=value).first()
        if identity is None:
            continue
        customer_value_set(
            customer=identity.customer,
            actor=None,
            purchases_per_year=Decimal(purchases),
            expected_years=Decimal(years),
            margin_per_purchase=Decimal(margin),
        )
        done += 1
    for threshold, priority, note in DEMO_RULES:
        ValuePriorityRule.objects.get_or_create(
            min_lifetime_value=threshold, priority=priority, defaults={"note": note}
        )
    return done
