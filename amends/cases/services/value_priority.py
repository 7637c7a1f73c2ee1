"""Priority by customer value (R-VA-1), applied by cases_open to a batch of new cases: the
rules live with the customer's value (amends.customers.value, ValuePriorityRule); the case's
side — which priority wins, never lowering one, the audit row — lives here, in the workflow
layer (docs/subsystems/customer-value.md#priority-by-customer-value)."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from amends.cases.choices import PRIORITY_RANK
from amends.cases.models import Case
from amends.core.audit import audit_event
from amends.core.models import AuditEvent
from amends.customers import events
from amends.customers.models import Customer, ValuePriorityRule
from amends.customers.value.services import value_rules_matching


def value_rules_for(customers: list[Customer]) -> dict[int, ValuePriorityRule]:
    """For each customer (by id) whose lifetime value meets an active rule, the rule that
    applies: the highest priority, then the highest threshold. One query, none when no
    customer of the batch has a known value."""
    chosen = {}
    for customer_id, rules in value_rules_matching(customers).items():
        if rules:
            chosen[customer_id] = min(
                rules, key=lambda r: (PRIORITY_RANK.get(r.priority, 99), -r.min_lifetime_value, r.pk)
            )
    return chosen


@dataclass
class PriorityRaise:
    """A case whose priority a value rule raised before it was saved; event() is its audit row."""

    case: Case
    rule: ValuePriorityRule
    before: str
    lifetime_value: Decimal

    def event(self) -> AuditEvent:
        return audit_event(
            name=events.PRIORITY_RAISED_BY_VALUE,
            target=self.case,
            actor_label="system",
            changes={"priority": (self.before, self.case.priority)},
            data={
                "rule": self.rule.pk,
                "lifetime_value": str(self.lifetime_value),
                "min_lifetime_value": str(self.rule.min_lifetime_value),
                "currency": settings.AMENDS_CURRENCY,
                "note": self.rule.note,
            },
        )


def value_priority_apply(
    *, case: Case, customer: Customer, rules: dict[int, ValuePriorityRule]
) -> PriorityRaise | None:
    """Raise the unsaved case's priority to its customer's rule (never lower it). Call before
    the SLA clocks are planned: they follow the priority."""
    rule = rules.get(customer.pk)
    if rule is None or customer.lifetime_value is None:
        return None
    if PRIORITY_RANK.get(rule.priority, 99) >= PRIORITY_RANK.get(case.priority, 99):
        return None
    before = case.priority
    case.priority = rule.priority
    return PriorityRaise(case=case, rule=rule, before=before, lifetime_value=customer.lifetime_value)
