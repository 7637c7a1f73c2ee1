"""Customer value arithmetic and the reading of numbers people type or export (no ORM).

Lifetime value = purchases per year × expected years × margin per purchase (R-VA-1), in the
currency of the margins (settings.AMENDS_CURRENCY), rounded half up to cents; unknown when any
of the three is unknown.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FIGURES = ("purchases_per_year", "expected_years", "margin_per_purchase")
CENT = Decimal("0.01")
# The largest value each figure may take: beyond these it is a typing or export mistake.
LIMITS = {
    "purchases_per_year": Decimal(10_000),
    "expected_years": Decimal(100),
    "margin_per_purchase": Decimal(1_000_000_000),
}

# Lifetime value bands for lists and filters: (code, lower bound included, upper bound excluded).
BANDS = (
    ("lt1k", Decimal(0), Decimal(1_000)),
    ("1k", Decimal(1_000), Decimal(10_000)),
    ("10k", Decimal(10_000), Decimal(100_000)),
    ("100k", Decimal(100_000), None),
)


def lifetime_value(
    purchases_per_year: Decimal | None, expected_years: Decimal | None, margin_per_purchase: Decimal | None
) -> Decimal | None:
    """The product of the three, to the cent; None when any is unknown."""
    if purchases_per_year is None or expected_years is None or margin_per_purchase is None:
        return None
    return (purchases_per_year * expected_years * margin_per_purchase).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class FigureError(ValueError):
    """A figure that cannot be used: `code` is "not_a_number", "negative" or "too_large"."""

    code: str
    text: str = ""

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"


# Digits people type in Arabic and Persian, and the Arabic decimal and thousands separators.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬−", "01234567890123456789.,-")
_GROUPING = re.compile(r"[\s\u00a0\u202f'’_]")
_THOUSANDS = re.compile(r"-?\d{1,3},\d{3}")
_PLAIN = re.compile(r"-?\d+(\.\d+)?|-?\.\d+")
_CURRENCY_SIGNS = re.compile(r"^[\u20a0-\u20cf$€£¥]|[\u20a0-\u20cf$€£¥]$")


def parse_number(text: str, *, comma_groups_thousands: bool = False) -> Decimal | None:
    """A number as a spreadsheet exports it, in any of our locales; None for an empty cell.

    A point or a comma may be the decimal separator: with both, the last one is; a separator
    that appears more than once groups thousands. A single comma is a decimal comma ("12,5"),
    except with `comma_groups_thousands` (a comma-separated file, as English and Hebrew Excel
    write them) when exactly three digits follow it ("1,500"). Spaces, apostrophes and a
    currency sign are ignored, Arabic-Indic digits read. Raises FigureError("not_a_number")
    for anything else (words, exponents, two decimal separators)."""
    cleaned = _CURRENCY_SIGNS.sub("", _GROUPING.sub("", text.translate(_DIGITS)))
    if not cleaned:
        return None
    commas, points = cleaned.count(","), cleaned.count(".")
    if commas and points:
        decimal, grouping = (",", ".") if cleaned.rfind(",") > cleaned.rfind(".") else (".", ",")
        whole, _sep, fraction = cleaned.rpartition(decimal)
        cleaned = _ungroup(whole, grouping, text) + "." + fraction
    elif commas > 1 or points > 1:
        cleaned = _ungroup(cleaned, "," if commas else ".", text)
    elif commas and comma_groups_thousands and _THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    else:
        cleaned = cleaned.replace(",", ".")
    if not _PLAIN.fullmatch(cleaned):
        raise FigureError("not_a_number", text)
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only plain decimals
        raise FigureError("not_a_number", text) from exc


def _ungroup(whole: str, grouping: str, text: str) -> str:
    """'1,234,567' → '1234567'; groups that are not of three digits are a mistake, not a number."""
    if not re.fullmatch(rf"-?\d{{1,3}}(\{grouping}\d{{3}})+", whole):
        raise FigureError("not_a_number", text)
    return whole.replace(grouping, "")


def check_figure(name: str, value: Decimal | None) -> Decimal | None:
    """The figure rounded half up to cents; FigureError("negative"/"too_large") when outside
    0 … LIMITS[name]."""
    if value is None:
        return None
    if value < 0:
        raise FigureError("negative", str(value))
    if value > LIMITS[name]:
        raise FigureError("too_large", str(value))
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def band_of(value: Decimal | None) -> str | None:
    """The code of the band a lifetime value falls in (None when unknown)."""
    if value is None:
        return None
    for code, low, high in BANDS:
        if value >= low and (high is None or value < high):
            return code
    return None
