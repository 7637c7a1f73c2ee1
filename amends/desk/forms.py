from django import forms
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import Team
from amends.accounts.selectors import user_list_assignable
from amends.cases.choices import Decision, Priority, ResolutionType
from amends.cases.models import Category
from amends.core.forms import BootstrapFormMixin, MultipleFileField


class ReplyForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Reply to the customer"), widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"})
    )
    attachments = MultipleFileField(label=_("Attachments"))


class NoteForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Internal note (never shown to the customer)"),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )


class AskForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Question to the customer"), widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"})
    )


class TransferForm(BootstrapFormMixin, forms.Form):
    to_owner = forms.ModelChoiceField(label=_("Hand over to"), queryset=user_list_assignable())
    to_team = forms.ModelChoiceField(label=_("Team (optional)"), queryset=Team.objects.all(), required=False)
    summary = forms.CharField(
        label=_("Handoff summary for the new owner"),
        help_text=_(
            "What happened, what was promised, what comes next. "
            "The customer must never have to repeat the story."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_owner"].label_from_instance = lambda user: user.full_name


class ResolveForm(BootstrapFormMixin, forms.Form):
    resolution_type = forms.ChoiceField(label=_("Resolution"), choices=[("", "—"), *ResolutionType.choices])
    decision = forms.ChoiceField(label=_("Decision"), choices=[("", "—"), *Decision.choices])
    summary = forms.CharField(
        label=_("What we did (sent to the customer)"),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )
    redress_amount = forms.DecimalField(
        label=_("Redress amount"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    redress_currency = forms.CharField(label=_("Currency"), required=False, max_length=3, initial="ILS")


class ReopenForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why reopen?"), widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}))


class CaseUpdateForm(BootstrapFormMixin, forms.Form):
    category = forms.ModelChoiceField(
        label=_("Cause category"), queryset=Category.objects.filter(is_active=True), required=False
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    vulnerable = forms.BooleanField(label=_("Customer may be vulnerable"), required=False)
    summary = forms.CharField(
        label=_("Agent's summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
