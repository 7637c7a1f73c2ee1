"""The CSV import of customer value figures: encodings, bad files, bad lines, the report,
and what happens when a run is interrupted."""

import codecs
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amends.core import clock
from amends.core.models import AuditEvent
from amends.customers import events
from amends.customers.models import Customer, CustomerValueImport, ValueImportStatus
from amends.customers.tests.texts import ARABIC, HEBREW, RUSSIAN
from amends.customers.value import imports
from amends.customers.value.imports import value_import_request, value_import_run, value_imports_resume
from amends.customers.value.problems import problem_text

pytestmark = pytest.mark.django_db

HEADER = "email,name,purchases_per_year,expected_years,margin_per_purchase"


@pytest.fixture
def customers(make_customer):
    """Fifteen customers, c0@example.com … c14@example.com, the first with a phone too."""
    made = [make_customer(email=f"c{i}@example.com") for i in range(15)]
    make_customer(email="c0@example.com", phone="+972-54-000-0000")
    return made


def _upload(lead, data: bytes, name: str = "values.csv") -> CustomerValueImport:
    value_import = value_import_request(user=lead, upload=SimpleUploadedFile(name, data, "text/csv"))
    value_import.refresh_from_db()
    return value_import


def _problems(value_import) -> list[tuple[int, str]]:
    return [(p.line, p.code) for p in value_import.problems.order_by("line", "id")]


def _ltv(email: str) -> Decimal | None:
    return Customer.objects.get(identities__value=email).lifetime_value


def test_a_good_file_is_imported_in_the_background_and_its_file_removed(lead, customers):
    # given
    data = f"{HEADER}\nc1@example.com,Anna,6,8,420\nc2@example.com,Tom,2,5,1250.50\n".encode()
    # when
    value_import = _upload(lead, data)
    # then
    assert value_import.status == ValueImportStatus.DONE
    assert (value_import.rows_read, value_import.rows_applied, value_import.rows_failed) == (2, 2, 0)
    assert value_import.lines_total == 3 and value_import.lines_committed == 3
    assert _ltv("c1@example.com") == Decimal("20160.00")
    assert _ltv("c2@example.com") == Decimal("12505.00")
    c1 = Customer.objects.get(identities__value="c1@example.com")
    assert c1.value_import_id == value_import.pk and c1.value_import_line == 2
    assert value_import.file.name == ""  # deleted once finished: the report keeps no rows
    event = AuditEvent.objects.get(name=events.VALUE_IMPORTED, target_id=value_import.pk)
    assert event.actor == lead and event.data["rows_applied"] == 2


@pytest.mark.parametrize(
    ("encoding", "names", "expected"),
    [
        ("utf-8", HEBREW + ARABIC + RUSSIAN, "utf-8"),
        ("utf-8-sig", HEBREW + ARABIC + RUSSIAN, "utf-8"),
        ("utf-16", ARABIC, "utf-16"),
        ("cp1255", HEBREW, "cp1255"),
        ("cp1256", ARABIC, "cp1256"),
        ("cp1251", RUSSIAN, "cp1251"),
    ],
)
def test_every_encoding_imports(lead, customers, encoding, names, expected):
    # given: names in the file's script, a header with Excel's semicolons and decimal commas
    lines = ["email;name;purchases_per_year;expected_years;margin_per_purchase"]
    lines += [f"c{i}@example.com;{name};1,5;2;100,25" for i, name in enumerate(names)]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    # when
    value_import = _upload(lead, data)
    # then
    assert value_import.status == ValueImportStatus.DONE, _problems(value_import)
    assert value_import.rows_applied == len(names) and value_import.rows_failed == 0
    assert value_import.encoding == expected
    assert _ltv("c0@example.com") == Decimal("300.75")


def test_a_file_mixing_encodings_line_by_line(lead, customers):
    data = b"".join(
        [
            HEADER.encode() + b"\n",
            f"c1@example.com,{HEBREW[0]},1,1,1\n".encode("cp1255"),
            f"c2@example.com,{RUSSIAN[0]},2,1,1\n".encode("cp1251"),
            f"c3@example.com,{ARABIC[0]},3,1,1\n".encode(),
        ]
    )
    value_import = _upload(lead, data)
    assert value_import.rows_applied == 3
    assert set(value_import.encoding.split(",")) == {"cp1251", "cp1255", "utf-8"}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"PK\x03\x04\x14\x00\x06\x00binary", "binary"),
        (b"c1@example.com,6,8,420\n", "no_header"),
        (b"name,purchases_per_year,expected_years,margin_per_purchase\nAnna,1,2,3\n", "no_customer_column"),
        (b"email,purchases_per_year,expected_years\nc1@example.com,1,2\n", "missing_columns"),
        (b"email,Email,purchases_per_year,expected_years,margin_per_purchase\n", "repeated_column"),
    ],
)
def test_a_file_that_cannot_be_imported_says_why_and_changes_nothing(lead, customers, data, code):
    value_import = _upload(lead, data)
    assert value_import.status == ValueImportStatus.FAILED
    assert value_import.error_code == code
    assert value_import.rows_applied == 0
    assert problem_text(value_import.error_code, value_import.error_params)  # a sentence, not a crash
    assert not Customer.objects.filter(lifetime_value__isnull=False).exists()


def test_missing_columns_are_named(lead, customers):
    value_import = _upload(lead, b"email,purchases_per_year,expected_years\n")
    text = problem_text(value_import.error_code, value_import.error_params)
    assert "margin_per_purchase" in text


def test_good_lines_are_applied_and_each_bad_line_is_reported_with_its_number(lead, customers):
    # given
    lines = [
        "email,phone,customer_id,purchases_per_year,expected_years,margin_per_purchase",  # 1
        "c1@example.com,,,6,8,420",  # 2 good
        "c2@example.com,,,six,8,420",  # 3 not a number
        "c3@example.com,,,-1,8,420",  # 4 negative
        "c4@example.com,,,6,101,420",  # 5 too many years
        "nobody@example.com,,,1,1,1",  # 6 unknown email
        ",+972 50 999 9999,,1,1,1",  # 7 unknown phone
        ",,not-an-id,1,1,1",  # 8 bad id
        ",,,1,1,1",  # 9 no customer
        "c5@example.com,1,2",  # 10 too few fields
        "",  # 11 blank: skipped
        "c0@example.com,+972-54-000-0000,,1,2,3",  # 12 good: email and phone agree
        "c6@example.com,+972-54-000-0000,,1,2,3",  # 13 two customers
        f",,{customers[7].public_id},2,2,2",  # 14 good, by id
        "C8@Example.com,,,,3,3",  # 15 good: an empty figure, value unknown
        "c9@example.com,,,1,2,3,extra",  # 16 one field too many
        "c10@example.com,,,1,2,3,",  # 17 good: a trailing separator
    ]
    # when
    value_import = _upload(lead, ("\n".join(lines) + "\n").encode())
    # then
    assert _problems(value_import) == [
        (3, "not_a_number"),
        (4, "negative"),
        (5, "too_large"),
        (6, "unknown_email"),
        (7, "unknown_phone"),
        (8, "bad_customer_id"),
        (9, "no_customer"),
        (10, "field_count"),
        (13, "different_customers"),
        (16, "field_count"),
    ]
    assert (value_import.rows_read, value_import.rows_applied, value_import.rows_failed) == (15, 5, 10)
    assert _ltv("c1@example.com") == Decimal("20160.00")
    assert _ltv("c2@example.com") is None  # its line was not applied
    assert _ltv("c0@example.com") == Decimal("6.00")
    assert Customer.objects.get(pk=customers[7].pk).lifetime_value == Decimal("8.00")
    c8 = Customer.objects.get(pk=customers[8].pk)
    assert c8.purchases_per_year is None and c8.expected_years == 3 and c8.lifetime_value is None
    assert _ltv("c10@example.com") == Decimal("6.00")
    bad = value_import.problems.get(line=3)
    assert problem_text(bad.code, bad.params) == "purchases_per_year: “six” is not a number."


def test_several_figure_errors_on_one_line_are_all_reported_once_counted(lead, customers):
    value_import = _upload(lead, f"{HEADER}\nc1@example.com,A,x,-1,1e9999\n".encode())
    assert _problems(value_import) == [(2, "not_a_number"), (2, "negative"), (2, "not_a_number")]
    assert value_import.rows_failed == 1


def test_the_last_line_for_a_customer_wins_and_the_report_says_so(lead, customers):
    data = f"{HEADER}\nc1@example.com,A,1,1,1\nc2@example.com,B,1,1,1\nc1@example.com,A,2,2,2\n".encode()
    value_import = _upload(lead, data)
    assert _ltv("c1@example.com") == Decimal("8.00")
    replaced = value_import.problems.get()
    assert (replaced.line, replaced.code, replaced.applied, replaced.params) == (
        4,
        "replaced",
        True,
        {"line": 2},
    )
    assert value_import.rows_applied == 3 and value_import.rows_failed == 0


def test_an_unclosed_quote_is_reported_with_the_lines_it_swallowed(lead, customers):
    lines = [HEADER, 'c1@example.com,"Anna,1,1,1', "c2@example.com,B,1,1,1", 'c3@example.com,C",1,1,1']
    value_import = _upload(lead, ("\n".join(lines) + "\nc4@example.com,D,1,1,1\n").encode())
    assert _problems(value_import) == [(2, "unclosed_quote")]
    assert value_import.problems.get().params == {"first": 2, "last": 4}
    assert _ltv("c4@example.com") == Decimal("1.00")


def test_a_comma_file_reads_a_lone_comma_before_three_digits_as_thousands(lead, customers):
    value_import = _upload(
        lead, f'{HEADER}\nc1@example.com,A,1,1,"1,500"\nc2@example.com,B,1,1,"2,5"\n'.encode()
    )
    assert value_import.rows_applied == 2
    assert _ltv("c1@example.com") == Decimal("1500.00")
    assert _ltv("c2@example.com") == Decimal("2.50")


# -- interrupted runs ----------------------------------------------------------------------


@pytest.fixture
def queued(monkeypatch):
    """Uploads wait in the queue (as with a real worker) instead of running inline."""
    waiting: list[int] = []
    monkeypatch.setattr(
        "amends.customers.tasks.value_import_task",
        SimpleNamespace(enqueue=lambda import_id: waiting.append(import_id)),
    )
    return waiting


def _many_lines(n: int) -> bytes:
    """n data lines over customers c0 … c14 (so customers repeat), every seventh one bad."""
    lines = [HEADER]
    for i in range(n):
        margin = "bad" if i % 7 == 3 else str(i + 1)
        lines.append(f"c{i % 15}@example.com,X,1,1,{margin}")
    return ("\n".join(lines) + "\n").encode()


def _report(value_import) -> tuple:
    value_import.refresh_from_db()
    return (
        value_import.status,
        value_import.rows_read,
        value_import.rows_applied,
        value_import.rows_failed,
        [(p.line, p.code, p.params, p.applied) for p in value_import.problems.order_by("line", "id")],
        sorted(Customer.objects.filter(lifetime_value__isnull=False).values_list("pk", "lifetime_value")),
    )


def test_a_run_interrupted_mid_file_resumes_without_applying_twice_or_losing_the_report(
    lead, customers, queued, monkeypatch
):
    # given: the same 40 lines imported once without interruption, as the reference
    monkeypatch.setattr(imports, "BATCH", 10)
    reference = _upload(lead, _many_lines(40))
    assert value_import_run(import_id=reference.pk) == "done"
    expected = _report(reference)
    Customer.objects.update(
        purchases_per_year=None, expected_years=None, margin_per_purchase=None, lifetime_value=None
    )
    # when: a second import of the same lines dies in its third batch, after writing the
    # batch's customers and before the rest of it (a worker killed mid-transaction)
    value_import = _upload(lead, _many_lines(40))
    real_update, calls = imports.bulk_update_by_pk, []

    def dying_update(*args, **kwargs):
        calls.append(1)
        done = real_update(*args, **kwargs)
        if len(calls) == 3:
            raise SystemExit("worker killed")
        return done

    monkeypatch.setattr(imports, "bulk_update_by_pk", dying_update)
    with pytest.raises(SystemExit):
        value_import_run(import_id=value_import.pk)
    monkeypatch.setattr(imports, "bulk_update_by_pk", real_update)
    # nothing of the third batch stayed: line 22 (c5, margin 21) is not applied
    assert Customer.objects.get(pk=customers[5].pk).margin_per_purchase == Decimal(6)  # from line 7
    assert value_import.problems.filter(line__gt=21).count() == 0
    value_import.refresh_from_db()
    assert value_import.status == ValueImportStatus.RUNNING
    assert value_import.lines_committed == 21  # header + two batches of ten
    assert value_import.rows_read == 20
    # then: a fresh run waits while the dead one's heartbeat is recent, then carries on
    assert value_import_run(import_id=value_import.pk) == "skipped"
    clock.freeze(clock.now() + imports.timedelta(seconds=imports.STALE_SECONDS + 1))
    assert value_import_run(import_id=value_import.pk) == "done"
    got = _report(value_import)
    assert got[:4] == expected[:4]
    assert [(line, code, applied) for line, code, _p, applied in got[4]] == [
        (line, code, applied) for line, code, _p, applied in expected[4]
    ]
    assert got[4] == [(line, code, params, applied) for line, code, params, applied in expected[4]]
    assert got[5] == expected[5]


def test_a_run_taken_over_stops_without_writing(lead, customers, queued, monkeypatch):
    # given: a run that started, then went quiet for longer than STALE_SECONDS
    monkeypatch.setattr(imports, "BATCH", 10)
    value_import = _upload(lead, _many_lines(30))
    first = imports.uuid.uuid4()
    assert imports._claim(value_import.pk, first) is not None
    clock.freeze(clock.now() + imports.timedelta(seconds=imports.STALE_SECONDS + 1))
    # when: another run takes it over and finishes
    assert value_import_run(import_id=value_import.pk) == "done"
    # then: the first run, waking up, may not write its batch
    with pytest.raises(imports._Superseded):
        imports._commit(value_import, first, [], up_to=99)


def test_a_long_import_gives_up_its_turn_and_queues_the_next_run(lead, customers, queued, monkeypatch):
    monkeypatch.setattr(imports, "BATCH", 10)
    value_import = _upload(lead, _many_lines(35))
    queued.clear()
    assert value_import_run(import_id=value_import.pk, slice_seconds=0) == "sliced"
    assert queued == [value_import.pk]
    value_import.refresh_from_db()
    assert value_import.lines_committed == 11 and value_import.runner is None
    while value_import_run(import_id=value_import.pk, slice_seconds=0) == "sliced":
        pass
    value_import.refresh_from_db()
    assert value_import.status == ValueImportStatus.DONE and value_import.rows_read == 35


def test_the_periodic_job_queues_imports_nobody_is_running(lead, customers, queued):
    value_import = _upload(lead, _many_lines(3))
    queued.clear()
    assert value_imports_resume() == 0  # just queued: its task will come
    clock.freeze(clock.now() + imports.timedelta(seconds=imports.STALE_SECONDS + 1))
    assert value_imports_resume() == 1
    assert queued == [value_import.pk]
    assert value_imports_resume() == 0  # seen now: not queued again at once


def test_an_import_that_keeps_failing_is_given_up(lead, customers, queued, monkeypatch):
    value_import = _upload(lead, _many_lines(3))

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(imports, "_commit", broken)
    for _attempt in range(imports.MAX_FAILURES):
        with pytest.raises(RuntimeError):
            value_import_run(import_id=value_import.pk)
    value_import.refresh_from_db()
    assert value_import.status == ValueImportStatus.FAILED and value_import.error_code == "crashed"
    assert value_import_run(import_id=value_import.pk) == "skipped"


def test_queries_do_not_grow_with_the_rows_of_a_batch(lead, customers, queued):
    """A batch costs the same queries for 20 rows as for 900: the customers are looked up
    together and written in one statement."""
    counts = []
    for n in (20, 900):
        value_import = _upload(lead, _many_lines(n))
        with CaptureQueriesContext(connection) as queries:
            value_import_run(import_id=value_import.pk)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 20


def test_the_figures_columns_may_be_named_in_words(lead, customers):
    data = b"E-mail;Purchases per year;Expected years;Margin per purchase\nc1@example.com;1;2;3\n"
    assert _upload(lead, data).rows_applied == 1


def test_utf8_bom_file_keeps_the_first_column(lead, customers):
    data = codecs.BOM_UTF8 + f"{HEADER}\nc1@example.com,A,1,1,1\n".encode()
    assert _upload(lead, data).rows_applied == 1


def test_a_mac_csv_with_carriage_returns_only(lead, customers):
    data = f"{HEADER}\rc1@example.com,A,1,1,1\rc2@example.com,B,x,1,1\r".encode()
    value_import = _upload(lead, data)
    assert value_import.rows_applied == 1
    assert _problems(value_import) == [(3, "not_a_number")]
