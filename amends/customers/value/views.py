"""Desk pages for customer value: change a case's customer's figures, upload a CSV, follow its
import and read its report. Leads and administrators only; agents read the figures on the
case page (403 here)."""

import uuid
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from amends.core.errors import DomainError
from amends.core.forms import apply_domain_error
from amends.customers.models import ValueImportStatus
from amends.customers.value.figures import FIGURES
from amends.customers.value.forms import CustomerValueForm, ValueImportForm
from amends.customers.value.imports import COLUMNS, value_import_request
from amends.customers.value.problems import problem_text
from amends.customers.value.selectors import (
    can_edit_customer_value,
    value_customer_get,
    value_import_get,
    value_import_list,
    value_import_problems,
)
from amends.customers.value.services import customer_value_set
from amends.privacy.models import AccessKind
from amends.privacy.services.access import access_record

PROBLEMS_PER_PAGE = 200


def lead_required(view):
    """Leads and admins; a signed-in agent gets 403, a visitor the login page."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_edit_customer_value(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@lead_required
def customer_value_edit(request: HttpRequest, public_id) -> HttpResponse:
    """A customer's value figures (?case=<id>: the case page it was opened from, and goes back to)."""
    customer = value_customer_get(public_id=public_id)
    case_id = _uuid_or_none(request.GET.get("case"))
    access_record(
        request=request, customer_id=customer.pk, what=AccessKind.CASE_PAGE, detail="customer value"
    )
    data = request.POST if request.method == "POST" else None
    form = CustomerValueForm(data, initial={name: getattr(customer, name) for name in FIGURES})
    if request.method == "POST" and form.is_valid():
        try:
            customer_value_set(customer=customer, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if case_id:
                return redirect("desk:case", public_id=case_id)
            return redirect("desk:value-imports")
    context = {"form": form, "case_id": case_id, "customer": customer, "currency": settings.AMENDS_CURRENCY}
    status = 400 if request.method == "POST" else 200
    return render(request, "customers/value/edit.html", context, status=status)


def _uuid_or_none(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


@lead_required
def value_imports(request: HttpRequest) -> HttpResponse:
    """Upload a CSV (POST) and see the latest imports."""
    posted = request.method == "POST"
    form = ValueImportForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        try:
            value_import = value_import_request(user=request.user, upload=form.cleaned_data["file"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("desk:value-import", public_id=value_import.public_id)
    context = {"form": form, "imports": value_import_list(), "columns": COLUMNS}
    return render(request, "customers/value/imports.html", context, status=400 if form.errors else 200)


@lead_required
def value_import_detail(request: HttpRequest, public_id) -> HttpResponse:
    """The import's progress (the page polls the partial while it runs), then its report."""
    value_import = value_import_get(public_id=public_id)
    page = Paginator(
        value_import_problems(value_import=value_import), PROBLEMS_PER_PAGE, allow_empty_first_page=True
    ).get_page(request.GET.get("page"))
    context = {"value_import": value_import, "page": page, "statuses": ValueImportStatus}
    template = "customers/value/import.html#progress" if request.htmx else "customers/value/import.html"
    return render(request, template, context)


@lead_required
def value_import_problems_csv(request: HttpRequest, public_id) -> StreamingHttpResponse:
    """Every problem of the import as CSV: line, applied or not, reason (in the reader's language)."""
    from django.utils.translation import gettext as _

    from amends.reports.services.exports import csv_lines

    value_import = value_import_get(public_id=public_id)
    yes, no = _("yes"), _("no")
    rows = (
        [p.line, yes if p.applied else no, problem_text(p.code, p.params)]
        for p in value_import_problems(value_import=value_import).iterator(chunk_size=2000)
    )
    response = StreamingHttpResponse(
        csv_lines([_("Line"), _("Applied"), _("Reason")], rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="value-import-{value_import.public_id.hex[:8]}.csv"'
    )
    return response
