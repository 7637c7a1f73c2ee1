"""Reads for customer value: who may change figures, the imports and their problems."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from amends.customers.models import Customer, CustomerValueImport, CustomerValueImportProblem


def can_edit_customer_value(user: Any) -> bool:
    """Leads and administrators enter and import value figures; agents read them."""
    return bool(user and user.is_authenticated and user.is_active and user.is_lead)


def value_customer_get(*, public_id: Any) -> Customer:
    """The customer whose figures a lead changes, by public id, or 404. Leads see every case,
    so every customer."""
    try:
        return Customer.objects.get(public_id=public_id)
    except (Customer.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def value_import_list(*, limit: int = 20) -> QuerySet[CustomerValueImport]:
    """The latest imports, any lead's: imports change shared records, so every lead sees them."""
    return CustomerValueImport.objects.select_related("uploaded_by").order_by("-created_at", "-id")[:limit]


def value_import_get(*, public_id: Any) -> CustomerValueImport:
    """One import by its public id, or 404."""
    try:
        return CustomerValueImport.objects.select_related("uploaded_by").get(public_id=public_id)
    except (CustomerValueImport.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def value_import_problems(*, value_import: CustomerValueImport) -> QuerySet[CustomerValueImportProblem]:
    """The import's problems in line order (lines not applied, and remarks on applied ones)."""
    return value_import.problems.order_by("line", "id")
