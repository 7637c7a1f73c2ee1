"""The managers' dashboard (R-LE-1) for leads and admins: figures, charts, the cases behind
each figure, exports and the monthly report. Views parse the filters, call a selector and
render; the figures are defined in selectors.py (docs/subsystems/reports.md)."""

import os
import tempfile
from datetime import date
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.cases.choices import Channel
from amends.core import clock
from amends.reports.filters import PERIODS, filters_from, today
from amends.reports.models import ExportFormat, ExportStatus, ReportExport
from amends.reports.presenters import charts, figure_rows, table_plain, tables
from amends.reports.selectors import FIGURES, UnknownFigure, cases_behind, dashboard, products_known
from amends.reports.services.exports import (
    case_header,
    case_rows,
    csv_lines,
    export_path,
    export_request,
    xlsx_write,
)

PAGE_SIZE = 50


def _lead_required(view):
    """Leads and admins; a signed-in agent gets 403, a visitor the login page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_lead:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _filter_context(request: HttpRequest, filters) -> dict:
    board = dashboard(filters)
    rows = figure_rows(board)
    return {
        "board": board,
        "filters": filters,
        "figure_rows": rows,
        "tables": tables(board, rows),
        "charts": charts(board),
        "periods": PERIODS,
        "channels": Channel.choices,
        "products": products_known(),
        "query": filters.query(),
    }


@_lead_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    filters = filters_from(request.GET)
    return render(request, "reports/dashboard.html", _filter_context(request, filters))


@_lead_required
def monthly(request: HttpRequest) -> HttpResponse:
    """A printable report of one month (the previous one by default)."""
    params = request.GET.copy()
    if not params.get("month"):
        first = today().replace(day=1)
        previous = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
        params["month"] = previous.strftime("%Y-%m")
    for name in ("period", "from", "to"):
        params.pop(name, None)
    filters = filters_from(params)
    context = _filter_context(request, filters)
    context["generated_at"] = clock.now()
    return render(request, "reports/monthly.html", context)


@_lead_required
def table_export(request: HttpRequest) -> HttpResponse:
    """One dashboard table (?table=…) as CSV (streamed) or XLSX (?format=xlsx)."""
    name = request.GET.get("table", "figures")
    fmt = request.GET.get("format", ExportFormat.CSV)
    filters = filters_from(request.GET)
    all_tables = tables(dashboard(filters))
    if name not in all_tables or fmt not in ExportFormat.values:
        raise Http404
    head, rows = table_plain(all_tables[name])
    filename = f"amends-{name}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.{fmt}"
    if fmt == ExportFormat.CSV:
        response = StreamingHttpResponse(csv_lines(head, rows), content_type="text/csv; charset=utf-8")
    else:
        response = _xlsx_response([(str(all_tables[name]["title"]), head, rows)])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_response(sheets) -> FileResponse:
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        xlsx_write(path, sheets)
        opened = open(path, "rb")
    finally:
        os.unlink(path)  # the open handle keeps the data until the response is sent
    return FileResponse(
        opened, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def _cases_query(request: HttpRequest):
    filters = filters_from(request.GET)
    figure = request.GET.get("figure", "opened")
    by, value = request.GET.get("by", ""), request.GET.get("value", "")
    try:
        queryset = cases_behind(user=request.user, filters=filters, figure=figure, by=by, value=value)
    except UnknownFigure:
        raise Http404 from None
    return filters, figure, by, value, queryset


@_lead_required
def cases(request: HttpRequest) -> HttpResponse:
    """The cases behind a figure, with the same filters (only cases the user may see)."""
    filters, figure, by, value, queryset = _cases_query(request)
    page = Paginator(queryset.select_related("team", "owner", "category"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reports/cases.html",
        {
            "filters": filters,
            "figure": figure,
            "figures": FIGURES,
            "by": by,
            "value": value,
            "page": page,
            "query": filters.query(figure=figure, by=by, value=value),
            "back": filters.query(),
        },
    )


@_lead_required
def cases_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The whole case list as CSV, streamed as it is read (constant memory)."""
    filters, figure, _by, _value, queryset = _cases_query(request)
    response = StreamingHttpResponse(
        csv_lines(case_header(), case_rows(queryset, for_csv=True)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="amends-{figure}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv"'
    )
    return response


@_lead_required
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    """Write the case list to a file in the background; the next page shows its progress."""
    params = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    if params.get("figure", "opened") not in FIGURES:
        raise Http404
    export = export_request(
        user=request.user,
        params=params,
        export_format=params.pop("format", ExportFormat.CSV),
        language=get_language(),
    )
    return redirect("desk:reports:export", public_id=export.public_id)


def _own_export(request: HttpRequest, public_id) -> ReportExport:
    export = ReportExport.objects.filter(public_id=public_id, requested_by=request.user).first()
    if export is None:
        raise Http404
    return export


@_lead_required
def export_status(request: HttpRequest, public_id) -> HttpResponse:
    """The export's progress; the page polls this partial until the file is ready."""
    export = _own_export(request, public_id)
    template = "reports/export.html#progress" if request.htmx else "reports/export.html"
    return render(request, template, {"export": export, "statuses": ExportStatus})


@_lead_required
def export_download(request: HttpRequest, public_id) -> FileResponse:
    export = _own_export(request, public_id)
    path = export_path(export)
    if export.status != ExportStatus.DONE or not path.exists():
        raise Http404(_("This export is not ready."))
    content_type = (
        "text/csv; charset=utf-8"
        if export.format == ExportFormat.CSV
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return FileResponse(
        open(path, "rb"), as_attachment=True, filename=export.file_name, content_type=content_type
    )
