import pytest

from amends.customers.services import customer_match_or_create


@pytest.fixture
def make_customer(db):
    def make(*, email: str = "", phone: str = "", full_name: str = ""):
        return customer_match_or_create(full_name=full_name, email=email, phone=phone)

    return make
