"""Writes for customers: match a contact to one customer across channels (R-IN-3)."""

import re

from django.db import IntegrityError, transaction
from django.db.models import Q

from amends.core import clock
from amends.core.db import bulk_create_fast
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


def customers_match_or_create_many(contacts: list[tuple[str, str, str, str]]) -> list[Customer]:
    """customer_match_or_create for a batch of (full_name, email, phone, language): one query
    matches them all and the new customers and identities are inserted in bulk. Two contacts
    with the same address in one batch get the same customer. If another transaction creates
    one of the identities meanwhile, the batch falls back to matching one at a time."""
    try:
        with transaction.atomic():
            return _match_or_create_many(contacts)
    except IntegrityError:
        return [
            customer_match_or_create(full_name=n, email=e, phone=p, language=lang)
            for n, e, p, lang in contacts
        ]


def _match_or_create_many(contacts: list[tuple[str, str, str, str]]) -> list[Customer]:
    now = clock.now()
    wanted_per_contact = [
        [
            (k, v)
            for k, v in (
                (IdentityKind.EMAIL, normalise_email(email) if email else ""),
                (IdentityKind.PHONE, normalise_phone(phone) if phone else ""),
            )
            if v
        ]
        for _name, email, phone, _lang in contacts
    ]
    emails = {v for wanted in wanted_per_contact for k, v in wanted if k == IdentityKind.EMAIL}
    phones = {v for wanted in wanted_per_contact for k, v in wanted if k == IdentityKind.PHONE}
    owner: dict[tuple[str, str], Customer] = {
        (i.kind, i.value): i.customer
        for i in CustomerIdentity.objects.select_related("customer").filter(
            Q(kind=IdentityKind.EMAIL, value__in=emails) | Q(kind=IdentityKind.PHONE, value__in=phones)
        )
    }
    existing = set(owner)
    customers: list[Customer] = []
    new_customers: list[Customer] = []
    named: list[Customer] = []
    for (full_name, _email, _phone, language), wanted in zip(contacts, wanted_per_contact, strict=True):
        found = dict(wanted)
        customer = owner.get((IdentityKind.EMAIL, found.get(IdentityKind.EMAIL, ""))) or owner.get(
            (IdentityKind.PHONE, found.get(IdentityKind.PHONE, ""))
        )
        if customer is None:
            customer = Customer(full_name=full_name, language=normalise_language(language), created_at=now)
            new_customers.append(customer)
        elif full_name and not customer.full_name:
            customer.full_name = full_name
            named.append(customer)
        for pair in wanted:
            owner.setdefault(pair, customer)  # the next contact in the batch finds it too
        customers.append(customer)
    bulk_create_fast(Customer, new_customers)
    for customer in {c.pk: c for c in named}.values():  # matched customers, already saved
        customer.save(update_fields=["full_name"])
    bulk_create_fast(
        CustomerIdentity,
        [
            CustomerIdentity(customer=customer, kind=kind, value=value, created_at=now)
            for (kind, value), customer in owner.items()
            if (kind, value) not in existing
        ],
    )
    return customers
