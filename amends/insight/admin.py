"""Lexicons in the Django admin: edit entries per language, see the version, try a text.

Every write goes through services (the lexicon's version goes up, so every process recompiles).
"""

import itertools

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import selectors, services
from .models import Lexicon, LexiconEntry

TRY_MAX_CHARS = 20_000


@admin.register(LexiconEntry)
class LexiconEntryAdmin(admin.ModelAdmin):
    list_display = ["pattern", "lexicon", "kind", "weight", "active", "note"]
    list_editable = ["weight", "active"]
    list_filter = ["lexicon", "kind", "active"]
    search_fields = ["pattern", "note"]
    list_select_related = ["lexicon"]
    list_per_page = 100
    fields = ["lexicon", "kind", "pattern", "weight", "active", "note"]

    def save_model(self, request, obj, form, change):
        services.lexicon_entry_save(entry=obj)

    def delete_model(self, request, obj):
        services.lexicon_entries_delete(entries=[obj])

    def delete_queryset(self, request, queryset):
        services.lexicon_entries_delete(entries=queryset.select_related("lexicon"))


class TryForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 8, "cols": 80}), max_length=TRY_MAX_CHARS
    )


@admin.register(Lexicon)
class LexiconAdmin(admin.ModelAdmin):
    list_display = ["__str__", "entry_count", "active_count", "version", "updated_at"]
    readonly_fields = ["language", "version", "updated_at"]
    actions = ["load_defaults"]
    change_list_template = "admin/insight/lexicon/change_list.html"

    def has_add_permission(self, request):
        return False  # one lexicon per language, made by the migration

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                entry_total=Count("entries"),
                entry_active=Count("entries", filter=Q(entries__active=True)),
            )
        )

    @admin.display(description=_("entries"), ordering="entry_total")
    def entry_count(self, lexicon: Lexicon) -> int:
        return lexicon.entry_total

    @admin.display(description=_("active"), ordering="entry_active")
    def active_count(self, lexicon: Lexicon) -> int:
        return lexicon.entry_active

    @admin.action(description=_("Add the default entries these lexicons lack"))
    def load_defaults(self, request, queryset):
        added = services.lexicon_defaults_load(languages=tuple(queryset.values_list("language", flat=True)))
        self.message_user(request, _("%(count)d default entries added.") % {"count": added})

    def get_urls(self):
        urls = [path("try/", self.admin_site.admin_view(self.try_view), name="insight_lexicon_try")]
        return urls + super().get_urls()

    def try_view(self, request):
        """Paste a text, see its language and the signals the active lexicons find in it."""
        form = TryForm(request.POST or None)
        insight = segments = None
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["text"]
            insight = selectors.text_insight(text)
            segments = _highlight(text, insight.signals)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Try the lexicons on a text"),
            "form": form,
            "insight": insight,
            "segments": segments,
        }
        return TemplateResponse(request, "admin/insight/lexicon/try.html", context)


def _highlight(text: str, report) -> list[tuple[str, str]]:
    """The text cut into (piece, signal names) pairs; names are empty between the spans."""
    marks: list[tuple[int, int, str]] = [
        (start, end, signal.label) for signal in report for start, end in signal.spans
    ]
    cuts = sorted({0, len(text), *(start for start, _, _ in marks), *(end for _, end, _ in marks)})
    pieces = []
    for start, end in itertools.pairwise(cuts):
        names = sorted({name for s, e, name in marks if s <= start and end <= e})
        pieces.append((text[start:end], ", ".join(names)))
    return pieces
