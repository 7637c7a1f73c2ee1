import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amends.customers.services import customer_match_or_create

pytestmark = pytest.mark.django_db


def test_match_by_email_then_phone_and_learn_new_details():
    first = customer_match_or_create(full_name="", email="A@Example.com", language="he")
    again = customer_match_or_create(full_name="Avi", email="a@example.com", phone="050 111 2222")
    by_phone = customer_match_or_create(phone="0501112222")
    assert first.pk == again.pk == by_phone.pk
    first.refresh_from_db()
    assert first.full_name == "Avi" and first.language == "he"


def test_identity_lookup_names_the_kind_so_the_index_is_used():
    with CaptureQueriesContext(connection) as queries:
        customer_match_or_create(email="x@example.com")
    lookup = next(
        q["sql"] for q in queries if "customers_customeridentity" in q["sql"] and "SELECT" in q["sql"]
    )
    assert '"kind"' in lookup
