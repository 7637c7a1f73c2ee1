"""Customer value in templates: `|value_figure` (a figure or an amount, in the reader's number
format), `|value_problem` (an import problem in words), `{% value_currency %}`."""

from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.formats import number_format

from amends.customers.value.problems import problem_text

register = template.Library()


@register.filter
def value_figure(value) -> str:
    """12 → "12", 1.50 → "1.5", 20160 → "20,160" (separators of the active language); "" for None."""
    if value is None or value == "":
        return ""
    number = Decimal(value)
    places = 0 if number == number.to_integral_value() else (1 if (number * 10) % 1 == 0 else 2)
    return number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def value_problem(problem) -> str:
    return problem_text(problem.code, problem.params)


@register.simple_tag
def value_currency() -> str:
    return settings.AMENDS_CURRENCY


@register.filter
def value_problem_of_file(value_import) -> str:
    """Why an import could not start, in words."""
    return problem_text(value_import.error_code, value_import.error_params)
