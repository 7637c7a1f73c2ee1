"""Reads for privacy: finding a customer for the commands, what the erasure page shows, and
the access log search."""

import re
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet

from amends.accounts.models import User
from amends.cases.choices import OPEN_STATUSES
from amends.cases.models import Case
from amends.cases.services.references import reference_normalise
from amends.customers.models import Customer, CustomerIdentity, IdentityKind
from amends.customers.services import normalise_email
from amends.privacy.models import AccessLogEntry

_REFERENCE_RE = re.compile(r"^\s*#?\s*AM[\s-]?[0-9A-Z]{6}\s*$", re.IGNORECASE)
# Customers whose name matches a search, at most: a word as common as a first name should
# narrow the log, not turn into an IN list of every customer.
NAME_MATCH_LIMIT = 500


def customer_get_by_public_id(*, public_id: Any) -> Customer | None:
    try:
        return Customer.objects.get(public_id=public_id)
    except (Customer.DoesNotExist, ValueError, TypeError, ValidationError):
        return None


def customers_with_case_counts(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """The customers about to be erased, each with `cases_total` and `cases_open`."""
    return queryset.annotate(
        cases_total=Count("cases"),
        cases_open=Count("cases", filter=Q(cases__status__in=OPEN_STATUSES)),
    ).order_by("pk")


def access_log_search(queryset: QuerySet[AccessLogEntry], term: str) -> QuerySet[AccessLogEntry]:
    """Log rows about whatever `term` names: a member of staff (user name, email, part of the
    name), a customer (part of the name, an email address, the public id) or a case (its
    reference or public id).

    The names are looked up first in their own (small or indexed) tables, so the log itself is
    read through its (user, at), (customer, at) and (case, at) indexes, never scanned.
    """
    term = term.strip()
    if not term:
        return queryset
    users = list(
        User.objects.filter(Q(username__iexact=term) | Q(email__iexact=term) | Q(full_name__icontains=term))
        .values_list("pk", flat=True)
        .order_by()
    )
    customers = list(
        Customer.objects.filter(full_name__icontains=term).values_list("pk", flat=True)[:NAME_MATCH_LIMIT]
    )
    cases: list[int] = []
    if "@" in term:
        customers += CustomerIdentity.objects.filter(
            kind=IdentityKind.EMAIL, value=normalise_email(term)
        ).values_list("customer_id", flat=True)
    if _REFERENCE_RE.match(term):
        cases += Case.objects.filter(reference=reference_normalise(term)).values_list("pk", flat=True)
    public_id = _uuid(term)
    if public_id is not None:
        customers += Customer.objects.filter(public_id=public_id).values_list("pk", flat=True)
        cases += Case.objects.filter(public_id=public_id).values_list("pk", flat=True)
    return queryset.filter(Q(user_id__in=users) | Q(customer_id__in=customers) | Q(case_id__in=cases))


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
