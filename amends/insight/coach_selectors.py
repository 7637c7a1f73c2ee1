"""What the reply coach needs to know about a case, read in one or two queries."""

from amends.insight.coach import CoachContext
from amends.sla.models import Escalation, EscalationReason

# We let the customer down: a missed deadline, a broken promise, or they asked for a manager.
WRONGED = (
    EscalationReason.CLOCK_BREACH,
    EscalationReason.PROMISE_BROKEN,
    EscalationReason.MANAGER_REQUESTED,
)


def case_customer_wronged(*, case_id: int) -> bool:
    return Escalation.objects.filter(case_id=case_id, reason__in=WRONGED).exists()


def coach_context_for(*, case, user) -> CoachContext:
    """The draft answers `case` and goes out under the case owner's name (or the writer's)."""
    owner = case.owner if case.owner_id else user
    return CoachContext(
        language=case.language or case.customer.language,
        customer_name=case.customer.full_name,
        customer_upset=case_customer_wronged(case_id=case.pk),
        owner_name=getattr(owner, "full_name", "") or "",
    )
