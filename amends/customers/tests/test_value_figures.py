"""Lifetime value arithmetic and the reading of numbers (no database)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amends.customers.value.figures import (
    FigureError,
    band_of,
    check_figure,
    lifetime_value,
    parse_number,
)


def test_lifetime_value_is_the_product_to_the_cent():
    assert lifetime_value(Decimal("6"), Decimal("8"), Decimal("420")) == Decimal("20160.00")
    assert lifetime_value(Decimal("1.5"), Decimal("2.5"), Decimal("9.99")) == Decimal("37.46")  # 37.4625


@pytest.mark.parametrize("missing", [0, 1, 2])
def test_lifetime_value_is_unknown_when_a_figure_is(missing):
    figures = [Decimal(2), Decimal(3), Decimal(4)]
    figures[missing] = None
    assert lifetime_value(*figures) is None


def test_zero_is_a_known_value():
    assert lifetime_value(Decimal(0), Decimal(5), Decimal(100)) == Decimal("0.00")


@given(
    st.decimals(min_value=0, max_value=10_000, places=2),
    st.decimals(min_value=0, max_value=100, places=2),
    st.decimals(min_value=0, max_value=1_000_000_000, places=2),
)
def test_lifetime_value_fits_its_column(p, y, m):
    value = lifetime_value(p, y, m)
    assert value is not None and value >= 0
    assert len(value.as_tuple().digits) <= 20  # max_digits of Customer.lifetime_value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", "12"),
        ("12.5", "12.5"),
        ("12,5", "12.5"),  # a decimal comma (Russian, Arabic, European exports)
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1,234,567", "1234567"),
        ("1.234.567", "1234567"),
        ("₪ 120", "120"),
        ("١٢٫٥", "12.5"),  # Arabic-Indic digits and decimal separator
        ("−3", "-3"),
        ("1'000", "1000"),
        (".5", "0.5"),
    ],
)
def test_numbers_as_spreadsheets_write_them(text, expected):
    assert parse_number(text) == Decimal(expected)


def test_a_lone_comma_before_three_digits_groups_thousands_only_in_comma_separated_files():
    assert parse_number("1,500") == Decimal("1.5")
    assert parse_number("1,500", comma_groups_thousands=True) == Decimal("1500")
    assert parse_number("12,5", comma_groups_thousands=True) == Decimal("12.5")


@pytest.mark.parametrize("text", ["", "  ", "\u00a0"])
def test_an_empty_cell_is_unknown(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(
    "text", ["abc", "1e5", "NaN", "inf", "1,2,3", "1.2.3", "12,34.5", "1.234,5,6", "--1", "5-"]
)
def test_what_is_not_a_number(text):
    with pytest.raises(FigureError) as caught:
        parse_number(text)
    assert caught.value.code == "not_a_number"


def test_check_rounds_to_cents_and_refuses_negative_and_huge():
    assert check_figure("margin_per_purchase", Decimal("12.345")) == Decimal("12.35")
    assert check_figure("expected_years", None) is None
    with pytest.raises(FigureError) as negative:
        check_figure("purchases_per_year", Decimal("-1"))
    assert negative.value.code == "negative"
    with pytest.raises(FigureError) as huge:
        check_figure("expected_years", Decimal("100.01"))
    assert huge.value.code == "too_large"
    assert check_figure("expected_years", Decimal("100")) == Decimal("100.00")


def test_bands():
    assert band_of(None) is None
    assert band_of(Decimal("999.99")) == "lt1k"
    assert band_of(Decimal("1000")) == "1k"
    assert band_of(Decimal("20160")) == "10k"
    assert band_of(Decimal("5000000")) == "100k"
