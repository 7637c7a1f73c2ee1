"""CSV and XLSX exports of the dashboard's tables and of the cases behind a figure.

Every text cell that a spreadsheet would read as a formula (it starts with = + - @, a tab or a
carriage return) gets a leading apostrophe: complaint subjects are written by strangers.
Rows are read with a server-side cursor and written one at a time (CSV to the response as it
streams, XLSX with xlsxwriter's constant_memory mode to a temporary file), so memory does not
grow with the number of rows.
"""

import csv
import io
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import xlsxwriter
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from amends.accounts.models import Team, User
from amends.cases.choices import Channel, Decision, Priority, Status
from amends.cases.models import Category, RootCause
from amends.core import clock
from amends.reports.filters import filters_from
from amends.reports.models import ExportFormat, ExportStatus, ReportExport
from amends.reports.selectors import cases_behind

logger = logging.getLogger(__name__)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_576  # a sheet's limit; the export goes on in another sheet
PROGRESS_EVERY = 5000


def cell(value):
    """A value as it goes into a cell: text that could start a formula is neutralised."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """CSV text, one line at a time (UTF-8 with a byte-order mark first, so that spreadsheets
    open Hebrew, Arabic and Russian correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow([cell(v) for v in header])
    for row in rows:
        writer.writerow(["" if v is None else cell(v) for v in row])
        if buffer.tell() > 16384:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_write(path: str, sheets: Iterable[tuple[str, list[str], Iterable[list]]], *, on_row=None) -> int:
    """Write sheets (name, header, rows) to an XLSX file in constant memory; returns the row
    count. Text goes through write_string, so nothing becomes a formula."""
    workbook = xlsxwriter.Workbook(
        path, {"constant_memory": True, "tmpdir": tempfile.gettempdir(), "strings_to_formulas": False}
    )
    bold = workbook.add_format({"bold": True})
    dates = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    count = 0
    for name, header, rows in sheets:
        part = 1
        sheet, line = _sheet(workbook, name, header, bold), 1
        for row in rows:
            if line >= XLSX_MAX_ROWS:
                part += 1
                sheet, line = _sheet(workbook, f"{name} ({part})", header, bold), 1
            for column, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(line, column, cell(value))
                elif isinstance(value, datetime):
                    sheet.write_datetime(line, column, value.replace(tzinfo=None), dates)
                elif isinstance(value, bool):
                    sheet.write_boolean(line, column, value)
                else:
                    sheet.write_number(line, column, value)
            line += 1
            count += 1
            if on_row is not None:
                on_row(count)
    workbook.close()
    return count


def _sheet(workbook, name: str, header: list[str], bold):
    # Sheet names: at most 31 characters, none of []:*?/\
    clean = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet"
    sheet = workbook.add_worksheet(clean)
    for column, title in enumerate(header):
        sheet.write_string(0, column, cell(title), bold)
    return sheet


# -- the cases behind a figure ------------------------------------------------------------

CASE_COLUMNS = (
    "reference",
    "created_at",
    "channel",
    "language",
    "status",
    "priority",
    "category_id",
    "root_cause_id",
    "product",
    "team_id",
    "owner_id",
    "vulnerable",
    "first_responded_at",
    "first_response_seconds",
    "resolved_at",
    "resolution_seconds",
    "sla_breached",
    "decision",
    "redress_amount",
    "redress_currency",
    "closed_at",
    "subject",
)


def case_header() -> list[str]:
    return [
        _("Reference"),
        _("Received"),
        _("Channel"),
        _("Language"),
        _("Status"),
        _("Priority"),
        _("Cause category"),
        _("Root cause"),
        _("Product or service"),
        _("Team"),
        _("Owner"),
        _("Customer may be vulnerable"),
        _("First response"),
        _("First response (business hours)"),
        _("Resolved"),
        _("Resolution (business hours)"),
        _("SLA met"),
        _("Decision"),
        _("Redress amount"),
        _("Currency"),
        _("Closed"),
        _("Subject"),
    ]


def case_rows(queryset, *, for_csv: bool) -> Iterator[list]:
    """Export rows of a case queryset, read through a server-side cursor; names of teams,
    people, categories and choices looked up in small dictionaries (no join per row)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    teams = dict(Team.objects.values_list("pk", "name"))
    people = {u.pk: u.full_name for u in User.objects.all()}
    categories = {c.pk: c.name for c in Category.objects.all()}
    causes = {c.pk: c.name for c in RootCause.objects.all()}
    choices = {
        "channel": dict(Channel.choices),
        "status": dict(Status.choices),
        "priority": dict(Priority.choices),
        "decision": dict(Decision.choices),
        "language": dict(settings.LANGUAGES),
    }
    choices = {k: {code: str(name) for code, name in v.items()} for k, v in choices.items()}
    yes, no = _("yes"), _("no")

    def when(moment):
        if moment is None:
            return None
        local = moment.astimezone(zone)
        return local.strftime("%Y-%m-%d %H:%M") if for_csv else local

    def hours(seconds):
        return None if seconds is None else round(seconds / 3600, 2)

    for r in queryset.values_list(*CASE_COLUMNS).iterator(chunk_size=2000):
        (
            reference,
            created,
            channel,
            language,
            status,
            priority,
            category,
            cause,
            product,
            team,
            owner,
            vulnerable,
            responded,
            fr_seconds,
            resolved,
            res_seconds,
            breached,
            decision,
            amount,
            currency,
            closed,
            subject,
        ) = r
        yield [
            reference,
            when(created),
            choices["channel"].get(channel, channel),
            choices["language"].get(language, language),
            choices["status"].get(status, status),
            choices["priority"].get(priority, priority),
            categories.get(category, ""),
            causes.get(cause, ""),
            product,
            teams.get(team, ""),
            people.get(owner, ""),
            yes if vulnerable else no,
            when(responded),
            hours(fr_seconds),
            when(resolved),
            hours(res_seconds),
            (no if breached else yes) if resolved else None,
            choices["decision"].get(decision, decision),
            float(amount) if amount is not None else None,
            currency,
            when(closed),
            subject,
        ]


def export_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "report-exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def export_path(export: ReportExport) -> Path:
    return export_dir() / f"{export.public_id.hex}.{export.format}"


@transaction.atomic
def export_request(*, user, params: dict, export_format: str, language: str) -> ReportExport:
    """Queue the export of the cases behind a figure; the task writes the file."""
    from amends.reports.tasks import report_export_task

    if export_format not in ExportFormat.values:
        export_format = ExportFormat.CSV
    export = ReportExport.objects.create(
        requested_by=user,
        format=export_format,
        query={k: v for k, v in params.items() if isinstance(v, str)},
        language=language,
        created_at=clock.now(),
    )
    report_export_task.enqueue(export_id=export.pk)  # in this transaction: it commits with the row
    return export


def export_run(*, export_id: int, heartbeat=None) -> None:
    """Write the export's file, counting rows for the progress bar. Idempotent: a second run
    (a worker lost mid-way) writes the file again from the start, into a file of its own.
    `heartbeat` is called with the progress (the task keeps its lease with it)."""
    export = ReportExport.objects.select_related("requested_by").filter(pk=export_id).first()
    if export is None or export.status == ExportStatus.DONE:
        return
    with translation.override(export.language):
        try:
            params = export.query
            filters = filters_from(params)
            queryset = cases_behind(
                user=export.requested_by,
                filters=filters,
                figure=params.get("figure", "opened"),
                by=params.get("by", ""),
                value=params.get("value", ""),
            )
            total = queryset.count()
            ReportExport.objects.filter(pk=export.pk).update(
                status=ExportStatus.RUNNING, rows_total=total, rows_done=0, error=""
            )

            def progress(done: int) -> None:
                if done % PROGRESS_EVERY == 0:
                    ReportExport.objects.filter(pk=export.pk).update(rows_done=done)
                    if heartbeat is not None:
                        heartbeat()

            path = export_path(export)
            # Per process: a run presumed lost may still be writing its own partial file.
            partial = path.with_suffix(f"{path.suffix}.{os.getpid()}.part")
            if export.format == ExportFormat.XLSX:
                done = xlsx_write(
                    str(partial),
                    [(_("Cases"), case_header(), case_rows(queryset, for_csv=False))],
                    on_row=progress,
                )
            else:
                counted = [0]
                rows = _counting(case_rows(queryset, for_csv=True), progress, counted)
                with open(partial, "w", encoding="utf-8", newline="") as out:
                    for chunk in csv_lines(case_header(), rows):
                        out.write(chunk)
                done = counted[0]
            os.replace(partial, path)
            ReportExport.objects.filter(pk=export.pk).update(
                status=ExportStatus.DONE,
                rows_done=done,
                file_name=f"amends-cases-{clock.now():%Y%m%d-%H%M}.{export.format}",
                finished_at=clock.now(),
            )
        except Exception as exc:  # recorded for the page; the worker logs the traceback
            logger.exception("report export %s failed", export.pk)
            ReportExport.objects.filter(pk=export.pk).update(
                status=ExportStatus.FAILED, error=str(exc)[:500], finished_at=clock.now()
            )


def _counting(rows: Iterable[list], progress, counted: list[int]) -> Iterator[list]:
    for n, row in enumerate(rows, 1):
        counted[0] = n
        progress(n)
        yield row
