"""Reads for customers."""

from amends.customers.models import Customer, IdentityKind
from amends.customers.services import normalise_email


def customer_contact(customer: Customer) -> dict[str, list[str]]:
    """The customer's emails and phones, for display (uses prefetched identities if any)."""
    out: dict[str, list[str]] = {IdentityKind.EMAIL: [], IdentityKind.PHONE: []}
    for identity in customer.identities.all():
        out[identity.kind].append(identity.value)
    return out


def customer_email(customer: Customer) -> str | None:
    emails = customer_contact(customer)[IdentityKind.EMAIL]
    return emails[0] if emails else None


def customer_get_by_email(*, email: str) -> Customer | None:
    """The customer who owns this email address (normalised as intake stores it), or None."""
    value = normalise_email(email)
    if not value:
        return None
    return Customer.objects.filter(identities__kind=IdentityKind.EMAIL, identities__value=value).first()
