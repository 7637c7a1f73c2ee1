"""Reads for customers."""

from amends.customers.models import Customer, IdentityKind


def customer_contact(customer: Customer) -> dict[str, list[str]]:
    """The customer's emails and phones, for display (uses prefetched identities if any)."""
    out: dict[str, list[str]] = {IdentityKind.EMAIL: [], IdentityKind.PHONE: []}
    for identity in customer.identities.all():
        out[identity.kind].append(identity.value)
    return out


def customer_email(customer: Customer) -> str | None:
    emails = customer_contact(customer)[IdentityKind.EMAIL]
    return emails[0] if emails else None
