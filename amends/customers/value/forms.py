"""Desk forms for customer value: the three figures, and the CSV upload."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from amends.core.forms import BootstrapFormMixin
from amends.customers.value.figures import LIMITS


def _figure_field(name: str, label, help_text="") -> forms.DecimalField:
    # localize: typed with the reader's decimal separator ("12,5" in Russian and Arabic).
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=False,
        localize=True,
        min_value=0,
        max_value=LIMITS[name],
        max_digits=14,
        decimal_places=2,
        error_messages={
            "invalid": _("Enter a number, such as 12 or 12.5."),
            "min_value": _("A negative number is not allowed."),
            "max_value": _("At most %(limit_value)s."),
            "max_decimal_places": _("At most two digits after the decimal separator."),
            "max_digits": _("This number is too long."),
            "max_whole_digits": _("This number is too long."),
        },
    )


class CustomerValueForm(BootstrapFormMixin, forms.Form):
    """Empty means "not known"; the lifetime value is computed from the three."""

    purchases_per_year = _figure_field(
        "purchases_per_year", _("Purchases per year"), _("On average; 0.5 is one purchase every two years.")
    )
    expected_years = _figure_field("expected_years", _("Expected years as a customer"))
    margin_per_purchase = _figure_field("margin_per_purchase", _("Margin per purchase"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["margin_per_purchase"].help_text = _("In %(currency)s.") % {
            "currency": settings.AMENDS_CURRENCY
        }
        for field in self.fields.values():
            field.widget.attrs.update({"inputmode": "decimal", "dir": "ltr", "autocomplete": "off"})


class ValueImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        error_messages={"required": _("Choose a CSV file to upload."), "empty": _("The file is empty.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.AMENDS_VALUE_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": limit // (1024 * 1024)}, code="too_large"
            )
        return upload
