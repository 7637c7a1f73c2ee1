from django import forms
from django.utils.translation import gettext_lazy as _

from amends.quality.models import Rating
from amends.quality.services.reviews import COMMENT_MAX


class ReviewForm(forms.Form):
    """The scorecard: a rating and an optional comment per criterion, and an overall comment.
    Fields are named `rating_<code>` and `comment_<code>`, so a DomainError from the service
    lands next to its criterion. (No BootstrapFormMixin: it reads the errors, which would
    validate the form before these fields exist.)"""

    comment = forms.CharField(
        label=_("Overall comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto", "class": "form-control"}),
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"rating_{criterion.code}"] = forms.ChoiceField(
                label=criterion.name,
                choices=Rating.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": _("Rate this, or mark it not applicable.")},
            )
            self.fields[f"comment_{criterion.code}"] = forms.CharField(
                label=_("Comment on “%(criterion)s”") % {"criterion": criterion.name},
                required=False,
                max_length=COMMENT_MAX,
                widget=forms.TextInput(
                    attrs={
                        "dir": "auto",
                        "class": "form-control form-control-sm",
                        "placeholder": _("Comment (optional)"),
                    }
                ),
            )

    def rows(self):
        """(criterion, rating field, comment field) per criterion, for the template."""
        return [(c, self[f"rating_{c.code}"], self[f"comment_{c.code}"]) for c in self.criteria]

    def scores(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            c.code: (data.get(f"rating_{c.code}", ""), data.get(f"comment_{c.code}", ""))
            for c in self.criteria
        }


class KudosForm(forms.Form):
    """A customer's message marked as kudos. The choices depend on the case, so they are set
    before anything reads the errors (hence no BootstrapFormMixin here either)."""

    message = forms.ChoiceField(
        label=_("The customer's message"), widget=forms.Select(attrs={"class": "form-select"})
    )
    agent = forms.TypedChoiceField(
        label=_("Kudos for"), coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )
    quote = forms.CharField(
        label=_("Words to keep (empty: the whole message)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto", "class": "form-control"}),
    )

    def __init__(self, *args, messages, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message"].choices = [(str(m.public_id), _excerpt(m.body)) for m in messages]
        self.fields["agent"].choices = list(people.items())


def kudos_form_for(panel, data=None) -> KudosForm:
    """The case panel's kudos form: the case's customer messages and the people who may get
    kudos there (selectors.CasePanel)."""
    return KudosForm(data, messages=panel.customer_messages, people=panel.people, auto_id="id_kudos_%s")


def _excerpt(text: str, size: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"
