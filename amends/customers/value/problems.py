"""What can be wrong with a customer value import, in words: codes are stored, sentences are
made when shown, in the reader's language."""

from django.utils.translation import gettext_lazy as _

# The file as a whole: nothing was imported.
FILE_MESSAGES = {
    "empty": _("The file is empty."),
    "binary": _(
        "This is not a CSV file: it holds binary data (a spreadsheet, perhaps). "
        "Save it from the spreadsheet as CSV and upload that."
    ),
    "no_header": _(
        "The first line must name the columns, and none of its names is one this import knows. "
        "Expected: %(expected)s."
    ),
    "no_customer_column": _(
        "The first line names no column that says who the customer is: it needs email, phone or customer_id."
    ),
    "missing_columns": _(
        "These columns are missing from the first line: %(missing)s. Expected: %(expected)s."
    ),
    "repeated_column": _("The column %(column)s is named twice in the first line."),
    "crashed": _("The import stopped on an unexpected error three times. Tell an administrator."),
}

# One line.
LINE_MESSAGES = {
    "field_count": _("This line has %(found)s fields; the first line names %(expected)s."),
    "unclosed_quote": _(
        "Lines %(first)s to %(last)s were read as one row: "
        "a quotation mark on line %(first)s is probably not closed."
    ),
    "unreadable": _("This line could not be read as CSV: %(detail)s."),
    "no_customer": _("This line has no email, phone or customer id."),
    "unknown_email": _("No customer has this email address."),
    "unknown_phone": _("No customer has this phone number."),
    "unknown_customer_id": _("No customer has this customer id."),
    "bad_customer_id": _("This customer id is not a valid id."),
    "different_customers": _("The email, phone and customer id on this line belong to different customers."),
    "not_a_number": _("%(column)s: “%(text)s” is not a number."),
    "negative": _("%(column)s: a negative number is not allowed."),
    "too_large": _("%(column)s: %(text)s is more than the largest allowed, %(limit)s."),
    "replaced": _("The same customer as on line %(line)s: this line's figures replace that line's."),
}


def problem_text(code: str, params: dict) -> str:
    """The sentence for a stored problem code (file-level or line), in the active language."""
    template = LINE_MESSAGES.get(code) or FILE_MESSAGES.get(code)
    if template is None:
        return code
    try:
        return str(template) % params if params else str(template)
    except (KeyError, TypeError, ValueError):  # a stored code whose parameters changed since
        return str(template)
