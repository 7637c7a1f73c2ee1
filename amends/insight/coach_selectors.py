"""What the reply coach needs to know about a case, read in one or two queries."""

import re

from amends.insight.analysis.models import JargonTerm
from amends.insight.analysis.selectors import analyses_for_case, case_feeling
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
    """The draft answers `case` and goes out under the case owner's name (or the writer's).
    The customer is upset when their latest message reads so (angry, abusive, threatening,
    asking for a manager) or when we let them down."""
    owner = case.owner if case.owner_id else user
    upset = case_feeling(analyses=analyses_for_case(case_id=case.pk)).upset
    return CoachContext(
        language=case.language or case.customer.language,
        customer_name=case.customer.full_name,
        customer_upset=upset or case_customer_wronged(case_id=case.pk),
        owner_name=getattr(owner, "full_name", "") or "",
        jargon=jargon_patterns(language=case.language),
    )


def jargon_patterns(*, language: str) -> tuple[str, ...]:
    """The admins' jargon terms for this language (and for any), as whole-word patterns."""
    terms = JargonTerm.objects.filter(is_active=True, language__in=["", language]).values_list(
        "term", flat=True
    )
    return tuple(rf"(?<!\w){re.escape(term.strip())}(?!\w)" for term in terms if term.strip())
