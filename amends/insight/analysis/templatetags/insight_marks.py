"""The customer's words that triggered a signal, marked in the message on the desk."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from amends.insight.analysis.models import SignalKind

register = template.Library()


def _label(kind: str) -> str:
    return str(SignalKind(kind).label) if kind in SignalKind.values else kind


@register.simple_tag
def marked_body(message, analyses):
    """The message body, escaped, with each triggering word in a <mark> naming its signal."""
    analysis = (analyses or {}).get(message.pk)
    body = message.body
    spans = sorted(
        (start, end, signal["kind"])
        for signal in (analysis.signals if analysis else ())
        for start, end in signal["spans"]
        if 0 <= start < end <= len(body)
    )
    if not spans:
        return body  # autoescaped by the template
    out, at = [], 0
    for start, end, kind in spans:
        if start < at:  # overlaps the previous mark: already shown
            continue
        out.append(escape(body[at:start]))
        title = escape(_label(kind))
        out.append(f'<mark class="signal signal-{kind}" title="{title}">{escape(body[start:end])}</mark>')
        at = end
    out.append(escape(body[at:]))
    return mark_safe("".join(out))  # every piece is escaped above


@register.simple_tag
def message_signals(message, analyses) -> list[dict]:
    """[{kind, label, level}] of the message, strongest first, for badges."""
    analysis = (analyses or {}).get(message.pk)
    return [
        {"kind": s["kind"], "label": _label(s["kind"]), "level": s["level"]}
        for s in (analysis.signals if analysis else ())
    ]
