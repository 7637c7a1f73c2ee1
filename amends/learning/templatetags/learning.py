"""`{% learning_case_panels %}`: the case page's panel of problems and incidents (with the
lessons learned), and the lead's "open a problem" buttons; `|learning_badge` for statuses."""

from django import template

from amends.learning.selectors import can_edit_learning, case_learning

register = template.Library()

_BADGES = {
    # problems
    "open": "text-bg-warning",
    "fixed": "text-bg-success",
    "closed": "text-bg-secondary",
    # corrective actions
    "planned": "text-bg-light border",
    "in_progress": "text-bg-info",
    "done": "text-bg-success",
    # incidents
    "investigating": "text-bg-danger",
    "identified": "text-bg-warning",
}


@register.filter
def learning_badge(status: str) -> str:
    return _BADGES.get(status, "text-bg-light border")


@register.inclusion_tag("learning/_case_panels.html", takes_context=True)
def learning_case_panels(context) -> dict:
    """Two queries: the case's problem links and incident links. The similar cases come from
    the page's own similarity panel (`similar` in the context), not a new lookup."""
    case = context["case"]
    request = context.get("request")
    user = getattr(request, "user", None)
    similar = context.get("similar")
    others = list(getattr(similar, "others", None) or [])
    learning = case_learning(case=case)
    return {
        "case": case,
        "learning": learning,
        "can_edit": can_edit_learning(user),
        "similar_count": len(others),
        "request": request,
    }


@register.filter
def public_text(incident, language: str) -> str:
    """What customers read about the incident, in `language` (or the text that serves all)."""
    return incident.public_text(language)


@register.filter
def as_percent(value) -> int | str:
    """0.83 → 83 (a similarity or a share as a whole percentage)."""
    try:
        return round(float(value) * 100)
    except (TypeError, ValueError):
        return ""


@register.filter
def own_public_text(incident, language: str) -> str:
    """The text written for `language` itself, "" when it falls back to another."""
    return (getattr(incident, f"public_text_{language}", "") or "").strip()


@register.simple_tag
def corrective_action_model():
    """For audit_changes: an action's fields and choices label its history rows."""
    from amends.learning.models import CorrectiveAction

    return CorrectiveAction
