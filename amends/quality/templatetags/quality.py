"""`{% quality_case_panel %}`: the case page's panel of reviews and kudos, with the lead's
"review this conversation" and everyone's "mark as kudos"; `|score_badge` and `|rating_badge`
colour a score and a rating."""

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from amends.quality.forms import kudos_form_for
from amends.quality.selectors import case_panel
from amends.quality.services.kudos import can_remove_kudos
from amends.reports import presenters

register = template.Library()


@register.inclusion_tag("quality/_case_panel.html", takes_context=True)
def quality_case_panel(context) -> dict:
    """Two queries (reviews, kudos): the messages come from the page's own timeline."""
    case = context["case"]
    request = context.get("request")
    user = getattr(request, "user", None)
    timeline = context.get("timeline")
    messages = [e.item for e in timeline if e.kind == "message"] if timeline is not None else None
    panel = case_panel(case=case, user=user, messages=messages)
    return {"case": case, "panel": panel, "kudos_form": kudos_form_for(panel), "request": request}


@register.filter
def kudos_removable(kudos, user) -> bool:
    return can_remove_kudos(user, kudos)


@register.filter
def score_badge(score) -> str:
    if score is None:
        return "text-bg-light border"
    if score >= 80:
        return "text-bg-success"
    if score >= 60:
        return "text-bg-warning"
    return "text-bg-danger"


_RATINGS = {"met": "text-bg-success", "partly": "text-bg-warning", "not_met": "text-bg-danger"}


@register.filter
def rating_badge(rating: str) -> str:
    return _RATINGS.get(rating, "text-bg-light border")


@register.filter
def share_text(share) -> str:
    """0.845 → "84.5 %" (a share of a whole), "—" for none."""
    return presenters.percent(share)


@register.filter
def score_text(score) -> str:
    """72.4 → "72 %" (a score already in percent), "—" for none."""
    if score is None:
        return "—"
    return _("%(value)s %%") % {"value": formats.number_format(round(score), 0)}


@register.filter
def duration_text(seconds) -> str:
    return presenters.duration(seconds)


@register.filter
def rating_text(rating) -> str:
    """An average rating out of 5, one decimal."""
    return presenters.number(rating, 1)
