from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from amends.accounts.selectors import user_list_assignable
from amends.cases.choices import Channel, Priority, Status
from amends.cases.selectors import category_list_active
from amends.core.forms import BootstrapFormMixin
from amends.learning.models import ActionStatus, IncidentStatus, ProblemStatus
from amends.learning.selectors import root_cause_list_active


class PersonField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", _("Nobody yet"))
        super().__init__(queryset=user_list_assignable(), **kwargs)

    def label_from_instance(self, obj) -> str:
        return obj.full_name


class DateTimeLocalField(forms.DateTimeField):
    """A date and time from the browser's picker, read in the desk's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], **kwargs)


class ProblemForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    description = forms.CharField(
        label=_("What goes wrong, and where"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    root_cause = forms.ModelChoiceField(
        label=_("Root cause"),
        queryset=root_cause_list_active(),
        required=False,
        empty_label=_("Not known yet"),
    )
    owner = PersonField(label=_("Owner"))
    # The cases to link, as public ids; the view offers the ones it found and checks each.
    cases = forms.MultipleChoiceField(
        label=_("Cases to link"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, case_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = list(case_choices)
        if not case_choices:
            del self.fields["cases"]
        self._errors = None  # the mixin validated before the choices existed: validate again


class ProblemEditForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    description = forms.CharField(
        label=_("What goes wrong, and where"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    root_cause = forms.ModelChoiceField(
        label=_("Root cause"),
        queryset=root_cause_list_active(),
        required=False,
        empty_label=_("Not known yet"),
    )
    owner = PersonField(label=_("Owner"))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ProblemStatus.choices,
        help_text=_("Fixed: new complaints like its cases are flagged to the owner as recurrences."),
    )
    lessons_learned = forms.CharField(
        label=_("Lessons learned"),
        required=False,
        help_text=_("Shown on the page of every case linked to this problem."),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )


class CaseReferenceForm(BootstrapFormMixin, forms.Form):
    reference = forms.CharField(
        label=_("Case reference"),
        max_length=20,
        widget=forms.TextInput(attrs={"dir": "ltr", "placeholder": "AM-"}),
    )


class CaseUnlinkForm(forms.Form):
    case = forms.UUIDField(widget=forms.HiddenInput)


class ActionForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(
        label=_("Corrective action"), max_length=300, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    owner = PersonField(label=_("Owner"))
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ActionStatusForm(forms.Form):
    action = forms.UUIDField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=ActionStatus.choices)


class IncidentForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(
        label=_("Title (for staff)"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    status = forms.ChoiceField(label=_("Status"), choices=IncidentStatus.choices)
    started_at = DateTimeLocalField(label=_("Started at"))
    owner = PersonField(label=_("Owner"))
    public_text_en = forms.CharField(
        label=_("What customers read (English)"),
        required=False,
        help_text=_("One text serves every language; write it in more languages if you can."),
        widget=forms.Textarea(attrs={"rows": 2, "dir": "ltr", "lang": "en"}),
    )
    public_text_he = forms.CharField(
        label=_("What customers read (Hebrew)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "rtl", "lang": "he"}),
    )
    public_text_ar = forms.CharField(
        label=_("What customers read (Arabic)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "rtl", "lang": "ar"}),
    )
    public_text_ru = forms.CharField(
        label=_("What customers read (Russian)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "ltr", "lang": "ru"}),
    )
    product = forms.CharField(label=_("Product or service"), max_length=100, required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("Any channel")), *Channel.choices], required=False
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        help_text=_(
            "New complaints with one of these words, or like the cases already linked, are linked "
            "and answered with what customers read. One per line or separated by commas."
        ),
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:  # a new incident is not fixed yet
            self.fields["status"].choices = [
                c for c in IncidentStatus.choices if c[0] != IncidentStatus.FIXED
            ]

    def clean(self):
        data = super().clean()
        texts = [data.get(f"public_text_{code}") for code, _name in settings.LANGUAGES]
        if not any(t and t.strip() for t in texts):
            self.add_error("public_text_en", _("Write what customers read, in at least one language."))
        return data


class IncidentStatusForm(forms.Form):
    status = forms.ChoiceField(choices=IncidentStatus.choices)


def _category_choices() -> list[tuple[str, str]]:
    return [("", _("Any")), *((c.code, c.name) for c in category_list_active())]


class BulkLinkForm(BootstrapFormMixin, forms.Form):
    """Which cases to link to an incident: a queue filter, a search, or cases like a chosen
    one. Posted once to see how many, then again with `confirm` to link them."""

    MODES = (
        ("filter", _("Cases matching a filter")),
        ("search", _("Cases found by a search")),
        ("similar", _("Cases similar to a chosen case")),
    )
    mode = forms.ChoiceField(choices=MODES, widget=forms.HiddenInput)
    queue = forms.ChoiceField(
        label=_("Cases"),
        choices=[("open", _("Open cases")), ("all", _("All cases"))],
        required=False,
        initial="open",
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any")), *Status.choices], required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Any")), *settings.LANGUAGES], required=False
    )
    category = forms.ChoiceField(label=_("Cause category"), choices=_category_choices, required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Any")), *Priority.choices], required=False
    )
    since_start = forms.BooleanField(
        label=_("Only cases received since the incident started"), required=False
    )
    q = forms.CharField(
        label=_("Reference, email, phone or name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    reference = forms.CharField(
        label=_("Case reference"), max_length=20, required=False, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == "search" and not (data.get("q") or "").strip():
            self.add_error("q", _("Type what to search for."))
        if mode == "similar" and not (data.get("reference") or "").strip():
            self.add_error("reference", _("Type the reference of the case to compare with."))
        return data
