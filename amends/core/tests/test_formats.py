"""Dates read naturally in every language: amends/core/formats fills what Django lacks."""

from datetime import datetime

import pytest
from django.utils import formats, translation

MOMENT = datetime(2026, 11, 29, 13, 41)


@pytest.mark.parametrize(
    ("language", "format_name", "expected"),
    [
        ("ar", "DATETIME_FORMAT", "29 نوفمبر 2026، 1:41 م"),
        ("ar", "SHORT_DATETIME_FORMAT", "29\u200f/11\u200f/2026 1:41 م"),
        ("he", "DATETIME_FORMAT", "29 בנובמבר 2026 13:41"),
        ("ru", "DATETIME_FORMAT", "29 ноября 2026 г. 13:41"),
        ("en", "DATETIME_FORMAT", "Nov. 29, 2026, 1:41 p.m."),
    ],
)
def test_dates_and_times_read_day_first_where_the_language_does(language, format_name, expected):
    # given / when
    with translation.override(language):
        shown = formats.date_format(MOMENT, format_name)

    # then
    assert shown == expected
