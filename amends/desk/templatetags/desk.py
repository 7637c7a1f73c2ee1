"""Template filters that need domain apps (core's tag library may not import them)."""

from django import template

from amends.sla.models import EscalationReason

register = template.Library()


@register.filter
def escalation_reason(code: str) -> str:
    """An escalation's reason code, as the translated sentence."""
    try:
        return EscalationReason(code).label
    except ValueError:
        return code
