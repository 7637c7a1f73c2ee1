"""The sample files in docs/samples/ import as the subsystem page says, against the demo's
customers (amends/cases/management/commands/demo_load.py)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from amends.customers.value.imports import value_import_request

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"


@pytest.fixture
def demo_customers(make_customer):
    for email, phone in [
        ("noa.cohen@example.com", ""),
        ("", "052-555-0142"),
        ("layla.hassan@example.com", ""),
        ("khaled.m@example.com", "+971 50 555 0199"),
        ("anna.smirnova@example.com", ""),
        ("igor.volkov@example.com", ""),
        ("mary.obrien@example.com", ""),
        ("tom.baker@example.com", ""),
    ]:
        make_customer(email=email, phone=phone)


def _import(lead, name):
    data = (SAMPLES / name).read_bytes()
    value_import = value_import_request(user=lead, upload=SimpleUploadedFile(name, data))
    value_import.refresh_from_db()
    return value_import


def test_the_utf8_sample(lead, demo_customers):
    value_import = _import(lead, "customer-values.csv")
    assert (value_import.rows_applied, value_import.rows_failed) == (7, 4)
    assert [(p.line, p.code) for p in value_import.problems.order_by("line")] == [
        (7, "not_a_number"),
        (8, "negative"),
        (10, "unknown_email"),
        (11, "no_customer"),
        (12, "replaced"),
    ]


def test_the_windows_1255_sample(lead, demo_customers):
    value_import = _import(lead, "customer-values-windows-1255.csv")
    assert value_import.encoding == "cp1255"
    assert (value_import.rows_applied, value_import.rows_failed) == (2, 2)
    assert [(p.line, p.code) for p in value_import.problems.order_by("line")] == [
        (3, "unknown_email"),
        (4, "not_a_number"),
    ]
