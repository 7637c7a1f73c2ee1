from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from amends.accounts.selectors import team_list, user_list_assignable
from amends.cases.choices import Channel, Decision, DesiredOutcome, Priority, ResolutionType
from amends.cases.selectors import category_list_active
from amends.core.forms import BootstrapFormMixin, MultipleFileField
from amends.learning.selectors import root_cause_list_active


class PromiseTimeField(forms.DateTimeField):
    """A date and time typed in the browser's date-time picker, read in the desk's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], **kwargs)


class ReplyForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Reply to the customer"), widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"})
    )
    promise_due = PromiseTimeField(
        label=_("Promise an update by (optional)"),
        required=False,
        help_text=_("The reply will end with “I will update you by …” and the promise is tracked."),
    )
    attachments = MultipleFileField(label=_("Attachments"))


class ManagerRequestForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("What the customer said (for the team lead)"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )


class PromiseDoneForm(forms.Form):
    commitment = forms.UUIDField(widget=forms.HiddenInput)


class PromiseMoveForm(BootstrapFormMixin, forms.Form):
    commitment = forms.UUIDField(widget=forms.HiddenInput)
    due_at = PromiseTimeField(label=_("New time"))
    reason = forms.CharField(
        label=_("Why (the customer reads this)"),
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )


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
    to_team = forms.ModelChoiceField(label=_("Team (optional)"), queryset=team_list(), required=False)
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


class CloseForm(BootstrapFormMixin, forms.Form):
    """Closing asks why it happened (R-LE-3): a root cause, separate from the category."""

    root_cause = forms.ModelChoiceField(
        label=_("Root cause"),
        queryset=root_cause_list_active(),
        empty_label="—",
        help_text=_("Why it happened inside the organisation. Regulators ask for it beside the category."),
        error_messages={"required": _("Choose the root cause before closing the case.")},
    )


class ReopenForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why reopen?"), widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}))


class CaseUpdateForm(BootstrapFormMixin, forms.Form):
    category = forms.ModelChoiceField(
        label=_("Cause category"),
        queryset=category_list_active(),
        required=False,
        empty_label=_("Not chosen yet"),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    vulnerable = forms.BooleanField(label=_("Customer may be vulnerable"), required=False)
    summary = forms.CharField(
        label=_("Agent's summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )


class SuggestionConfirmForm(forms.Form):
    """The one-click "Confirm" beside the suggested category: the category the agent saw."""

    category = forms.ModelChoiceField(queryset=category_list_active(), widget=forms.HiddenInput)


class CaseLogForm(BootstrapFormMixin, forms.Form):
    """A complaint taken by phone, at the counter or from a letter, typed in by an agent."""

    channel = forms.ChoiceField(
        label=_("How did it reach us?"),
        choices=[
            (Channel.PHONE, Channel.PHONE.label),
            (Channel.WALK_IN, Channel.WALK_IN.label),
            (Channel.LETTER, Channel.LETTER.label),
            (Channel.EMAIL, Channel.EMAIL.label),
        ],
    )
    full_name = forms.CharField(
        label=_("Customer's name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    email = forms.EmailField(label=_("Email"), required=False, widget=forms.EmailInput(attrs={"dir": "ltr"}))
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    language = forms.ChoiceField(label=_("Customer's language"), choices=settings.LANGUAGES)
    order_number = forms.CharField(label=_("Order or account number"), max_length=100, required=False)
    body = forms.CharField(
        label=_("The customer's words"),
        help_text=_("Write down what the customer said, as closely as you can."),
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
    )
    desired_outcome = forms.ChoiceField(label=_("Outcome the customer wants"), choices=DesiredOutcome.choices)
    take_it = forms.BooleanField(label=_("I will own this case"), required=False, initial=True)
    submission_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
