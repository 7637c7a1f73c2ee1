from datetime import datetime

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """The current page in each of our languages, for the language switch."""
    request = context.get("request")
    path = request.get_full_path() if request else "/"
    links = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        links.append(
            {
                "code": code,
                "name": info["name_local"],
                "url": translate_url(path, code),
                "bidi": info["bidi"],
            }
        )
    return links


@register.filter
def before_full_stop(text: str) -> str:
    """A value that ends a sentence, less its own final dot: English times end in "p.m." and
    the sentence adds its full stop ("by Dec. 1, 4 p.m." not "4 p.m..")."""
    text = str(text)
    return text[:-1] if text.endswith(".") else text


@register.filter
def initials(name: str) -> str:
    parts = [p for p in (name or "").split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


@register.simple_tag
def audit_changes(event, model) -> list[dict]:
    """An audit event's changes as (field label, before, after), labels and choice values
    translated, for showing a change history people can read in any language."""
    rows = []
    for field_name, pair in (event.changes or {}).items():
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        try:
            field = model._meta.get_field(field_name)
            label = field.verbose_name
            choices = dict(field.flatchoices) if field.choices else {}
        except Exception:  # a field that no longer exists still shows its stored name
            label, choices = field_name, {}
        rows.append(
            {
                "label": label,
                "before": choices.get(before, before),
                "after": choices.get(after, after),
            }
        )
    return rows


@register.filter
def iso_datetime(value: str):
    """An ISO 8601 string kept in an audit event's data, back to a datetime for |date."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.filter
def duration_hm(value, unit: str = "hours") -> str:
    """A clock's remaining time, sign dropped: hours and minutes ("27 h 05 min"), or with
    ``unit="days"`` days and hours past two days ("38 d 8 h": regulated, calendar time)."""
    if value is None:
        return "—"
    minutes = abs(int(value.total_seconds())) // 60
    if unit == "days" and minutes >= 48 * 60:
        days, hours = divmod(minutes // 60, 24)
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}
