from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from amends.cases.choices import DesiredOutcome
from amends.core.forms import BootstrapFormMixin, MultipleFileField


class ComplaintForm(BootstrapFormMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name", "dir": "auto"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "dir": "ltr"}),
    )
    order_number = forms.CharField(
        label=_("Order or account number (if you have one)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    body = forms.CharField(
        label=_("What happened?"),
        max_length=20000,
        help_text=_("In your own words. Include dates and what you have already tried."),
        widget=forms.Textarea(attrs={"rows": 7, "dir": "auto"}),
        error_messages={"required": _("Please tell us what happened.")},
    )
    desired_outcome = forms.ChoiceField(
        label=_("What would put this right for you?"),
        choices=DesiredOutcome.choices,
        widget=forms.RadioSelect,
    )
    desired_outcome_detail = forms.CharField(
        label=_("Anything to add about the outcome you want?"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    attachments = MultipleFileField(label=_("Attachments (photos, receipts, documents)"))
    submission_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # A field people never see; bots fill it in.
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )

    def clean(self):
        data = super().clean()
        if not (data.get("email") or (data.get("phone") or "").strip()):
            if "email" not in self.errors:
                self.add_error(
                    "email",
                    _("Please give an email address or a phone number so we can reach you."),
                )
        return data


class FollowUpForm(BootstrapFormMixin, forms.Form):
    """The satisfaction check: solved or not, an optional rating and comment."""

    answer = forms.ChoiceField(
        label=_("Is the problem solved?"),
        choices=[("solved", _("Yes, it is solved")), ("not_solved", _("No, it is not solved"))],
        widget=forms.RadioSelect,
    )
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled it? (1 = not at all, 5 = very)"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us (optional)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )


class SignInForm(BootstrapFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("The address you used when you contacted us."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr", "autofocus": True}),
    )


class CodeForm(BootstrapFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
    code = forms.CharField(
        label=_("The code from the email"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "dir": "ltr", "size": 8}
        ),
    )


class CustomerMessageForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
        error_messages={"required": _("Please write your message.")},
    )
    attachments = MultipleFileField(label=_("Attachments (photos, receipts, documents)"))


class ManagerRequestForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why would you like to speak to a manager?"),
        help_text=_("A team lead will read this and contact you."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        error_messages={
            "required": _("Please tell us in a few words why you would like to speak to a manager.")
        },
    )


class PreferencesForm(forms.Form):
    """The customer's language and channel; the channels are those that can reach them.

    Not a BootstrapFormMixin form: the mixin validates a bound form in its __init__, before
    the choices below exist.
    """

    language = forms.ChoiceField(
        label=_("Language of our messages"), widget=forms.Select(attrs={"class": "form-select"})
    )
    channel = forms.ChoiceField(
        label=_("How we tell you about your complaints"),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    notify_incidents = forms.BooleanField(
        label=_("Tell me about service interruptions that affect my complaints, and when they are fixed"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, data=None, *, customer: Any, channels: list[tuple[str, Any]]):
        initial = {
            "language": customer.language,
            "channel": customer.preferred_channel,
            "notify_incidents": customer.notify_incidents,
        }
        super().__init__(data, initial=initial)
        # Each language in its own name and script: a reader finds theirs whatever the page's.
        self.fields["language"].choices = [
            (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
        ]
        self.fields["channel"].choices = channels
