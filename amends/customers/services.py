"""Writes for customers: match a contact to one customer across channels (R-IN-3)."""

import re

from django.db import IntegrityError, transaction
from django.db.models import Q

from amends.core import clock
from amends.core.i18n import normalise_language
from amends.customers.models import Customer, CustomerIdentity, IdentityKind

_PHONE_JUNK = re.compile(r"[\s().\-/]")


def normalise_email(value: str) -> str:
    return value.strip().lower()


def normalise_phone(value: str) -> str:
    """Keep a leading + and the digits; '054-123 4567' and '0541234567' match."""
    value = _PHONE_JUNK.sub("", value.strip())
    if value.startswith("00"):
        value = "+" + value[2:]
    return value


def customer_match_or_create(
    *, full_name: str = "", email: str = "", phone: str = "", language: str = "en"
) -> Customer:
    """Return the customer who owns this email or phone, or a new one.

    Email wins over phone when they point at different customers. New contact details are
    attached to the matched customer so the next contact finds them by either.
    """
    email = normalise_email(email) if email else ""
    phone = normalise_phone(phone) if phone else ""
    wanted = [(IdentityKind.EMAIL, email), (IdentityKind.PHONE, phone)]
    wanted = [(k, v) for k, v in wanted if v]
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return _match_or_create(full_name=full_name, wanted=wanted, language=language)
        except IntegrityError:
            # A concurrent request created the same identity first: match again.
            continue
    return _match_or_create(full_name=full_name, wanted=wanted, language=language)


def _match_or_create(*, full_name: str, wanted: list[tuple[str, str]], language: str) -> Customer:
    now = clock.now()
    # (kind, value) pairs, so the lookup uses the unique (kind, value) index; `value IN (...)`
    # alone cannot, and scanned every identity (docs/performance.md, fix 1).
    pairs = Q()
    for kind, value in wanted:
        pairs |= Q(kind=kind, value=value)
    found = (
        {i.kind: i for i in CustomerIdentity.objects.select_related("customer").filter(pairs)}
        if wanted
        else {}
    )
    match = found.get(IdentityKind.EMAIL) or found.get(IdentityKind.PHONE)
    if match:
        customer = match.customer
        if full_name and not customer.full_name:
            customer.full_name = full_name
            customer.save(update_fields=["full_name"])
    else:
        customer = Customer.objects.create(
            full_name=full_name, language=normalise_language(language), created_at=now
        )
    for kind, value in wanted:
        if kind not in found:
            CustomerIdentity.objects.create(customer=customer, kind=kind, value=value, created_at=now)
    return customer
