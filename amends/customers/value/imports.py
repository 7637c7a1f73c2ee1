"""The CSV import of customer value figures: stored upload, background run in batches, a
report of every line that was not applied (docs/subsystems/customer-value.md, decision 0016).

The file: a header line naming the columns (any order, any case; extra columns ignored) —
`email`, `phone` or `customer_id` (at least one) and `purchases_per_year`, `expected_years`,
`margin_per_purchase` (all three; an empty cell makes that figure unknown) — separated by
commas, semicolons, tabs or bars (whichever names the most columns in the header), in UTF-8
(with or without a byte-order mark), UTF-16 with a byte-order mark, windows-1255, -1256 or -1251.

Each batch of BATCH rows commits in one transaction with its problems, its counts and the
number of the last line it covers (`lines_committed`), so the report always says exactly
which lines were applied: every data line up to `lines_committed` that has no problem (or only
a remark). A run that stops (worker killed, deploy, an error) is resumed after that line by
the task lease or by the periodic `value_imports_resume`; setting figures is idempotent, and a
second line for the same customer is recognised from the customer's `value_import_line`, so a
resumed run reports the same as an uninterrupted one. A run gives up its turn after
SLICE_SECONDS and queues the next, well inside the task lease.
"""

import csv
import logging
import re
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from amends.core import clock
from amends.core.audit import record_event
from amends.core.db import bulk_update_by_pk
from amends.core.errors import DomainError
from amends.customers import events
from amends.customers.models import (
    Customer,
    CustomerIdentity,
    CustomerValueImport,
    CustomerValueImportProblem,
    IdentityKind,
    ValueImportStatus,
)
from amends.customers.services import normalise_email, normalise_phone
from amends.customers.value.encoding import LineReader, sniff
from amends.customers.value.figures import (
    FIGURES,
    LIMITS,
    FigureError,
    check_figure,
    lifetime_value,
    parse_number,
)
from amends.customers.value.services import VALUE_FIELDS

logger = logging.getLogger(__name__)

BATCH = 1000  # rows per transaction: ~6 queries each, whatever the batch size
SLICE_SECONDS = 60.0  # a run's turn, far inside the task lease (AMENDS_TASK_LEASE_SECONDS)
STALE_SECONDS = 120  # a runner not seen for this long is gone: another run may take over
MAX_FAILURES = 3  # runs ended by an unexpected error before the import is given up

IDENTIFIERS = ("customer_id", "email", "phone")
COLUMNS = (*IDENTIFIERS, *FIGURES)
_ALIASES = {"public_id": "customer_id", "customer": "customer_id", "e_mail": "email", "phone_number": "phone"}
DELIMITERS = (",", ";", "\t", "|")


class _Superseded(Exception):
    """Another run took the import over (this one was thought dead): stop without writing."""


def column_key(name: str) -> str:
    """'Purchases per year' → 'purchases_per_year'; aliases to their column."""
    key = re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())
    return _ALIASES.get(key, key)


@dataclass
class Header:
    delimiter: str
    columns: dict[str, int]  # column → index
    width: int


def header_read(line: str) -> Header | tuple[str, dict]:
    """The header, or (file problem code, params) when it does not name what the import needs."""
    best: tuple[int, str, list[str]] | None = None
    for delimiter in DELIMITERS:
        names = next(csv.reader([line], delimiter=delimiter), [])
        known = sum(1 for n in names if column_key(n) in COLUMNS)
        if best is None or known > best[0]:
            best = (known, delimiter, names)
    assert best is not None
    known, delimiter, names = best
    expected = ", ".join(COLUMNS)
    if not known:
        return "no_header", {"expected": expected}
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        key = column_key(name)
        if key not in COLUMNS:
            continue
        if key in columns:
            return "repeated_column", {"column": key}
        columns[key] = index
    if not any(k in columns for k in IDENTIFIERS):
        return "no_customer_column", {}
    missing = [k for k in FIGURES if k not in columns]
    if missing:
        return "missing_columns", {"missing": ", ".join(missing), "expected": expected}
    return Header(delimiter=delimiter, columns=columns, width=len(names))


# -- requesting ------------------------------------------------------------------------------


@transaction.atomic
def value_import_request(*, user: Any, upload: UploadedFile) -> CustomerValueImport:
    """Store the uploaded CSV and queue its import (the task row commits with the import)."""
    from amends.customers.tasks import value_import_task

    if upload.size is not None and upload.size > settings.AMENDS_VALUE_IMPORT_MAX_BYTES:
        raise DomainError(
            _("The file is larger than %(size)s MB.")
            % {"size": settings.AMENDS_VALUE_IMPORT_MAX_BYTES // (1024 * 1024)},
            code="too_large",
            field="file",
        )
    value_import = CustomerValueImport(
        uploaded_by=user,
        original_name=(upload.name or "")[:200],
        size=upload.size or 0,
        created_at=clock.now(),
    )
    value_import.file.save("upload.csv", upload, save=False)  # the name comes from value_import_path
    value_import.save()
    value_import_task.enqueue(import_id=value_import.pk)
    return value_import


def value_imports_resume() -> int:
    """Periodic job: queue a run for each unfinished import nobody is running (its run raised,
    or its task was lost). Returns how many were queued."""
    from amends.customers.tasks import value_import_task

    cutoff = clock.now() - timedelta(seconds=STALE_SECONDS)
    stale = list(
        CustomerValueImport.objects.filter(status__in=[ValueImportStatus.QUEUED, ValueImportStatus.RUNNING])
        .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff))
        .values_list("pk", flat=True)[:20]
    )
    for pk in stale:
        with transaction.atomic():
            # Seen now: not queued again by the next sweep before this run starts.
            CustomerValueImport.objects.filter(pk=pk).update(heartbeat_at=clock.now(), runner=None)
            value_import_task.enqueue(import_id=pk)
    return len(stale)


# -- running ---------------------------------------------------------------------------------


def value_import_run(*, import_id: int, slice_seconds: float | None = None) -> str:
    """Import (or go on importing) the file; returns "done", "failed", "sliced" (its turn is
    over and the next run is queued), "skipped" (finished, or another run holds it) or
    "superseded". Safe to call any number of times, at the same time too."""
    runner = uuid.uuid4()
    value_import = _claim(import_id, runner)
    if value_import is None:
        return "skipped"
    deadline = time.monotonic() + (SLICE_SECONDS if slice_seconds is None else slice_seconds)
    try:
        return _run(value_import, runner, deadline)
    except _Superseded:
        return "superseded"
    except Exception:
        logger.exception("customer value import %s failed", import_id)
        _after_error(import_id, runner)
        raise


def _claim(import_id: int, runner: uuid.UUID) -> CustomerValueImport | None:
    with transaction.atomic():
        value_import = CustomerValueImport.objects.select_for_update().filter(pk=import_id).first()
        if value_import is None or value_import.is_finished:
            return None
        now = clock.now()
        alive = value_import.heartbeat_at and (now - value_import.heartbeat_at) < timedelta(
            seconds=STALE_SECONDS
        )
        if value_import.runner and alive:
            return None
        value_import.runner = runner
        value_import.heartbeat_at = now
        value_import.status = ValueImportStatus.RUNNING
        value_import.started_at = value_import.started_at or now
        value_import.save(update_fields=["runner", "heartbeat_at", "status", "started_at"])
        return value_import


def _after_error(import_id: int, runner: uuid.UUID) -> None:
    with transaction.atomic():
        value_import = CustomerValueImport.objects.select_for_update().filter(pk=import_id).first()
        if value_import is None or value_import.runner != runner:
            return
        value_import.failures += 1
        value_import.runner = None
        value_import.save(update_fields=["failures", "runner"])
        if value_import.failures >= MAX_FAILURES:
            _finish(value_import, status=ValueImportStatus.FAILED, error=("crashed", {}))


def _run(value_import: CustomerValueImport, runner: uuid.UUID, deadline: float) -> str:
    with value_import.file.open("rb") as stream:
        if not value_import.encoding:
            found = sniff(stream)
            if found.binary:
                return _fail(value_import, runner, "binary", {})
            if found.lines == 0:
                return _fail(value_import, runner, "empty", {})
            value_import.encoding, value_import.lines_total = found.encoding, found.lines
            CustomerValueImport.objects.filter(pk=value_import.pk, runner=runner).update(
                encoding=found.encoding, lines_total=found.lines
            )
        stream.seek(0)
        reader = LineReader(stream, value_import.encoding)
        lines = iter(reader)
        first = next(lines, "")
        header = header_read(first)
        if not isinstance(header, Header):
            code, params = header
            return _fail(value_import, runner, code, params)
        if value_import.delimiter != header.delimiter:
            value_import.delimiter = header.delimiter
            CustomerValueImport.objects.filter(pk=value_import.pk).update(delimiter=header.delimiter)
        batch: list[_Row] = []
        last_line = 1
        for row in _rows(lines, header):
            last_line = row.last
            if row.last <= value_import.lines_committed:
                continue  # committed by an earlier run
            if row.blank:
                continue
            batch.append(row)
            if len(batch) >= BATCH:
                _commit(value_import, runner, batch, up_to=row.last)
                batch = []
                if time.monotonic() > deadline:
                    return _pass_on(value_import, runner)
        _commit(value_import, runner, batch, up_to=max(last_line, value_import.lines_committed))
        used = ",".join(sorted(reader.used)) or value_import.encoding
    return _finish_done(value_import, runner, used)


@dataclass
class _Row:
    first: int  # the line it starts on (the report's line number)
    last: int  # the line it ends on (a quoted field may hold line breaks)
    fields: list[str] | None
    error: str = ""  # the csv module could not read it
    blank: bool = False
    problems: list[tuple[str, dict]] = field(default_factory=list)
    figures: dict[str, Decimal | None] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # identifier column → normalised value


class _Counted:
    """An iterator of lines that counts what the csv reader took (its line_num restarts with
    each new reader)."""

    def __init__(self, lines: Iterator[str], start: int):
        self.lines, self.count = lines, start

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.count += 1
        return line


def _rows(lines: Iterator[str], header: Header) -> Iterator[_Row]:
    """Rows after the header, each parsed and checked (customers are looked up per batch).
    A row the csv module cannot read is reported, and reading goes on after it."""
    counted = _Counted(lines, start=1)
    done = 1
    while True:
        reader = csv.reader(counted, delimiter=header.delimiter)
        try:
            for fields in reader:
                row = _parse(_Row(first=done + 1, last=counted.count, fields=fields), header)
                done = counted.count
                yield row
            return
        except csv.Error as exc:
            row = _Row(first=done + 1, last=counted.count, fields=None, error=str(exc))
            if row.last > row.first:
                row.problems.append(("unclosed_quote", {"first": row.first, "last": row.last}))
            else:
                row.problems.append(("unreadable", {"detail": str(exc)[:200]}))
            done = counted.count
            yield row


def _parse(row: _Row, header: Header) -> _Row:
    fields = row.fields or []
    if not any(f.strip() for f in fields):
        row.blank = True
        return row
    if row.last > row.first:
        # A line break inside quotes. Nothing this import reads holds one; far more often a
        # quotation mark was left open and the next lines were swallowed into one field.
        row.problems.append(("unclosed_quote", {"first": row.first, "last": row.last}))
        return row
    if len(fields) > header.width and not any(f.strip() for f in fields[header.width :]):
        fields = fields[: header.width]  # trailing empty fields (a trailing separator)
    if len(fields) != header.width:
        row.problems.append(("field_count", {"found": len(fields), "expected": header.width}))
        return row
    for key in IDENTIFIERS:
        if key in header.columns:
            text = fields[header.columns[key]].strip()
            if text:
                row.keys[key] = text
    if not row.keys:
        row.problems.append(("no_customer", {}))
    comma_groups = header.delimiter == ","
    for name in FIGURES:
        text = fields[header.columns[name]].strip()
        try:
            row.figures[name] = check_figure(name, parse_number(text, comma_groups_thousands=comma_groups))
        except FigureError as exc:
            params: dict[str, Any] = {"column": name, "text": text[:40]}
            if exc.code == "too_large":
                params["limit"] = f"{LIMITS[name]:,}"
            row.problems.append((exc.code, params))
    return row


def _commit(value_import: CustomerValueImport, runner: uuid.UUID, rows: list[_Row], *, up_to: int) -> None:
    """Apply a batch: look its customers up, set the figures of every good row, store the
    problems, and move the import's counts and line forward — all or nothing."""
    now = clock.now()
    with transaction.atomic():
        locked = CustomerValueImport.objects.select_for_update().only("runner").get(pk=value_import.pk)
        if locked.runner != runner:
            raise _Superseded
        found = _customers_for(rows)
        changed: dict[int, Customer] = {}
        problems: list[CustomerValueImportProblem] = []
        applied = failed = 0
        for row in rows:
            customer = None
            if not row.problems:
                customer = _customer_of(row, found)
            if row.problems or customer is None:
                failed += 1
                problems += [
                    CustomerValueImportProblem(
                        value_import_id=value_import.pk, line=row.first, code=c, params=p
                    )
                    for c, p in row.problems
                ]
                continue
            if customer.value_import_id == value_import.pk and customer.value_import_line:
                problems.append(
                    CustomerValueImportProblem(
                        value_import_id=value_import.pk,
                        line=row.first,
                        code="replaced",
                        params={"line": customer.value_import_line},
                        applied=True,
                    )
                )
            for name in FIGURES:
                setattr(customer, name, row.figures[name])
            customer.lifetime_value = lifetime_value(*(row.figures[name] for name in FIGURES))
            customer.value_updated_at = now
            customer.value_import_id = value_import.pk
            customer.value_import_line = row.first
            changed[customer.pk] = customer
            applied += 1
        bulk_update_by_pk(Customer, list(changed.values()), VALUE_FIELDS)
        CustomerValueImportProblem.objects.bulk_create(problems)
        value_import.lines_committed = max(value_import.lines_committed, up_to)
        value_import.rows_read += len(rows)
        value_import.rows_applied += applied
        value_import.rows_failed += failed
        value_import.heartbeat_at = now
        value_import.save(
            update_fields=["lines_committed", "rows_read", "rows_applied", "rows_failed", "heartbeat_at"]
        )


@dataclass
class _Found:
    by_email: dict[str, int]
    by_phone: dict[str, int]
    by_public_id: dict[uuid.UUID, int]
    customers: dict[int, Customer]


def _customers_for(rows: Iterable[_Row]) -> _Found:
    """The batch's customers in two queries: the identities, then the customers with the
    columns the import writes."""
    emails, phones, public_ids = set(), set(), set()
    for row in rows:
        if row.problems:
            continue
        if "email" in row.keys:
            row.keys["email"] = normalise_email(row.keys["email"])
            emails.add(row.keys["email"])
        if "phone" in row.keys:
            row.keys["phone"] = normalise_phone(row.keys["phone"])
            phones.add(row.keys["phone"])
        if "customer_id" in row.keys:
            try:
                public_ids.add(uuid.UUID(row.keys["customer_id"]))
            except ValueError:
                pass
    by_email: dict[str, int] = {}
    by_phone: dict[str, int] = {}
    if emails or phones:
        for kind, value, customer_id in CustomerIdentity.objects.filter(
            Q(kind=IdentityKind.EMAIL, value__in=emails) | Q(kind=IdentityKind.PHONE, value__in=phones)
        ).values_list("kind", "value", "customer_id"):
            (by_email if kind == IdentityKind.EMAIL else by_phone)[value] = customer_id
    ids = set(by_email.values()) | set(by_phone.values())
    customers: dict[int, Customer] = {}
    if ids or public_ids:
        for customer in Customer.objects.filter(Q(pk__in=ids) | Q(public_id__in=public_ids)).only(
            "public_id", *VALUE_FIELDS
        ):
            customers[customer.pk] = customer
    by_public_id = {c.public_id: c.pk for c in customers.values()}
    return _Found(by_email=by_email, by_phone=by_phone, by_public_id=by_public_id, customers=customers)


def _customer_of(row: _Row, found: _Found) -> Customer | None:
    """The customer the row names; None with the row's problem recorded when it names none, or
    names two different ones."""
    matches: dict[str, int | None] = {}
    for key, text in row.keys.items():
        if key == "customer_id":
            try:
                matches[key] = found.by_public_id.get(uuid.UUID(text))
            except ValueError:
                row.problems.append(("bad_customer_id", {}))
                return None
        elif key == "email":
            matches[key] = found.by_email.get(text)
        else:
            matches[key] = found.by_phone.get(text)
    known = {pk for pk in matches.values() if pk is not None}
    if len(known) > 1:
        row.problems.append(("different_customers", {}))
        return None
    if not known:
        first = next(iter(matches))  # the first identifier given, in the order customer_id, email, phone
        row.problems.append(
            ({"customer_id": "unknown_customer_id", "email": "unknown_email"}.get(first, "unknown_phone"), {})
        )
        return None
    return found.customers[known.pop()]


def _pass_on(value_import: CustomerValueImport, runner: uuid.UUID) -> str:
    """End this run's turn and queue the next run, which carries on after lines_committed."""
    from amends.customers.tasks import value_import_task

    with transaction.atomic():
        updated = CustomerValueImport.objects.filter(pk=value_import.pk, runner=runner).update(
            runner=None, heartbeat_at=clock.now()
        )
        if not updated:
            raise _Superseded
        value_import_task.enqueue(import_id=value_import.pk)
    return "sliced"


def _fail(value_import: CustomerValueImport, runner: uuid.UUID, code: str, params: dict) -> str:
    with transaction.atomic():
        locked = CustomerValueImport.objects.select_for_update().get(pk=value_import.pk)
        if locked.runner != runner:
            raise _Superseded
        _finish(locked, status=ValueImportStatus.FAILED, error=(code, params))
    return "failed"


def _finish_done(value_import: CustomerValueImport, runner: uuid.UUID, used: str) -> str:
    with transaction.atomic():
        locked = CustomerValueImport.objects.select_for_update().get(pk=value_import.pk)
        if locked.runner != runner:
            raise _Superseded
        locked.encoding = used[:40]
        _finish(locked, status=ValueImportStatus.DONE)
    return "done"


def _finish(value_import: CustomerValueImport, *, status: str, error: tuple[str, dict] | None = None) -> None:
    """Close the import (in the caller's transaction): status, time, the audit row; the stored
    file is deleted once this commits (the report keeps line numbers and reasons only)."""
    value_import.status = status
    value_import.finished_at = clock.now()
    value_import.runner = None
    if error:
        value_import.error_code, value_import.error_params = error
    name = value_import.file.name
    value_import.file = ""
    value_import.save(
        update_fields=["status", "finished_at", "runner", "error_code", "error_params", "file", "encoding"]
    )
    record_event(
        name=events.VALUE_IMPORTED,
        target=value_import,
        actor=value_import.uploaded_by,
        data={
            "status": status,
            "rows_read": value_import.rows_read,
            "rows_applied": value_import.rows_applied,
            "rows_failed": value_import.rows_failed,
            "error": value_import.error_code,
        },
    )
    if name:
        storage = value_import.file.storage
        transaction.on_commit(lambda: storage.delete(name))
