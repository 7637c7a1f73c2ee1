"""Template filters that need domain apps (core's tag library may not import them)."""

from django import template

from amends.sla.models import EscalationReason
from amends.sla.selectors import clock_label

register = template.Library()


@register.filter
def escalation_reason(code: str) -> str:
    """An escalation's reason code, as the translated sentence."""
    try:
        return EscalationReason(code).label
    except ValueError:
        return code


@register.filter
def clock_name(clock_row) -> str:
    """A case clock's name in the reader's language (regime presets included)."""
    return clock_label(clock_row)
