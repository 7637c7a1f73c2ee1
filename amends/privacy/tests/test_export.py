"""A customer's data export (R-PR-1): customer.json with everything about her and both ways of
every conversation, her files beside it, internal notes only when asked for; logged."""

import io
import json
import os
import tracemalloc
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amends.cases.services import lifecycle
from amends.core import clock
from amends.core.models import AuditEvent
from amends.customers.value.services import customer_value_set
from amends.privacy import events
from amends.privacy.models import AccessKind, AccessLogEntry
from amends.privacy.services.export import EXPORT_FORMAT, customer_export, customer_export_file
from amends.privacy.services.retention import attachments_remove_expired
from amends.privacy.tests.conftest import NOTE_FILE, PHOTO, RECEIPT, at

pytestmark = pytest.mark.django_db


def _export(customer, **kwargs) -> tuple[dict, zipfile.ZipFile]:
    out, _counts = customer_export_file(customer=customer, **kwargs)
    archive = zipfile.ZipFile(io.BytesIO(out.read()))
    out.close()
    return json.loads(archive.read("customer.json")), archive


def _files(data: dict) -> dict[str, str]:
    """{file name in the ZIP: the customer's file name} for every file listed."""
    return {
        a["file"]: a["filename"]
        for case in data["cases"]
        for m in case["messages"]
        for a in m["attachments"]
        if a["file"]
    }


def test_the_export_holds_her_details_her_cases_both_ways_and_her_files(history, admin_user):
    # given: what we estimate she is worth to us
    customer_value_set(
        customer=history.customer,
        actor=admin_user,
        purchases_per_year=Decimal("4"),
        expected_years=Decimal("5"),
        margin_per_purchase=Decimal("120.50"),
    )
    history.customer.refresh_from_db()
    # when
    data, archive = _export(history.customer, user=admin_user)
    # then
    assert data["format"] == EXPORT_FORMAT
    assert data["customer"]["full_name"] == "Zephyrine Quillfeather"
    assert data["customer"]["address"] == "17 Juniper Mews, Haifa"
    assert Decimal(data["customer"]["lifetime_value"]) == Decimal("2410")
    assert Decimal(data["customer"]["margin_per_purchase"]) == Decimal("120.50")
    assert {(c["kind"], c["value"]) for c in data["contact_details"]} == {
        ("email", "zephyrine.q@example.net"),
        ("phone", "0547770123"),
    }
    assert [c["reference"] for c in data["cases"]] == [
        history.mail_case.reference,
        history.web_case.reference,
    ]
    mail_case, web_case = data["cases"]
    assert {m["kind"] for m in mail_case["messages"]} == {"inbound", "outbound"}
    bodies = [m["body"] for m in mail_case["messages"]]
    assert "We are sorry, Zephyrine. A technician will call." in bodies
    assert "still dented, nobody came" in bodies
    assert web_case["order_number"] == "ORD-55501"
    assert [p["description"] for p in mail_case["promises"]][-1] == "replacement door for Zephyrine"
    assert mail_case["satisfaction_checks"][0]["comment"] == "still dented, nobody came"
    # the files, byte for byte, named after her file names
    files = _files(data)
    assert sorted(files.values()) == ["dented-fridge.pdf", "oven-photo.pdf"]
    by_name = {name: archive.read(zip_name) for zip_name, name in files.items()}
    assert by_name == {"dented-fridge.pdf": RECEIPT, "oven-photo.pdf": PHOTO}
    assert sorted(archive.namelist()) == sorted(["customer.json", *files])


def test_mail_we_sent_her_is_in_and_staff_mail_about_her_is_not(history, admin_user):
    # when
    data, _archive = _export(history.customer, user=admin_user)
    # then
    sent = data["notifications"]
    assert {n["event"] for n in sent} >= {"received", "reply", "followup", "signin"}
    assert {n["to"] for n in sent} == {"zephyrine.q@example.net"}
    assert [n["case"] for n in sent if n["event"] == "signin"] == [None]
    assert not {n["event"] for n in sent} & {"escalated", "digest", "promise_reminder"}


def test_internal_notes_and_their_files_are_in_only_when_asked_for(history, admin_user):
    # when
    without, archive_without = _export(history.customer, user=admin_user)
    with_notes, archive_with = _export(history.customer, user=admin_user, include_notes=True)
    # then
    note = "spoke to Zephyrine by phone"
    assert note not in json.dumps(without)
    assert without["internal_notes_included"] is False
    notes = [m["body"] for m in with_notes["cases"][0]["messages"] if m["kind"] == "note"]
    assert notes == [note, "Zephyrine wants a new door"]  # the note and the handoff summary
    assert "cold-memo.pdf" in _files(with_notes).values()
    assert NOTE_FILE in [archive_with.read(n) for n in archive_with.namelist()]
    assert NOTE_FILE not in [archive_without.read(n) for n in archive_without.namelist()]


def test_another_customers_data_is_not_in_it(history, admin_user):
    # when
    data, archive = _export(history.customer, user=admin_user)
    # then
    text = archive.read("customer.json").decode()
    assert history.other_case.reference not in text
    assert "Bertram" not in text
    assert len(data["cases"]) == 2


def test_the_export_is_logged_as_an_access_and_an_audit_event(history, admin_user):
    # when
    _data, _archive = _export(history.customer, user=admin_user)
    # then
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.customer_id, entry.case_id, entry.what) == (
        admin_user,
        history.customer.pk,
        None,
        AccessKind.EXPORT,
    )
    event = AuditEvent.objects.get(name=events.CUSTOMER_EXPORTED)
    assert (event.target_id, event.actor) == (history.customer.pk, admin_user)
    assert event.data == {
        "cases": 2,
        "messages": 7,  # nine, less the note and the handoff summary (internal)
        "attachments": 2,
        "notifications": event.data["notifications"],
        "internal_notes": False,
    }
    assert event.data["notifications"] >= 4


def test_a_file_removed_under_the_retention_policy_is_listed_without_bytes(
    history, admin_user, agent, settings, django_capture_on_commit_callbacks
):
    # given: the web case closed, and its file removed seven months later
    lifecycle.case_assign(case=history.web_case, owner=agent, actor=agent)
    lifecycle.case_resolve(
        case=history.web_case, actor=agent, resolution_type="fix", decision="upheld", summary="Door replaced."
    )
    lifecycle.case_close(case=history.web_case, actor=agent)
    settings.AMENDS_ATTACHMENT_RETENTION_MONTHS = 6
    clock.freeze(at(2026, 10, 6, 12, 0))
    with django_capture_on_commit_callbacks(execute=True):
        assert attachments_remove_expired() == 1
    # when
    data, archive = _export(history.customer, user=admin_user)
    # then
    photo = data["cases"][1]["messages"][0]["attachments"][0]
    assert (photo["filename"], photo["file"]) == ("oven-photo.pdf", None)
    assert datetime.fromisoformat(photo["removed_at"]) == at(2026, 10, 6, 12, 0)
    assert PHOTO not in [archive.read(n) for n in archive.namelist()]


def test_queries_do_not_grow_with_the_number_of_cases(make_case, admin_user):
    def queries_for(count: int, email: str) -> int:
        cases = [make_case(email=email, body=f"case {n}") for n in range(count)]
        with CaptureQueriesContext(connection) as queries:
            customer_export(customer=cases[0].customer, out=io.BytesIO(), user=admin_user)
        return len(queries)

    # then
    assert queries_for(2, "few@example.com") == queries_for(12, "many@example.com")


def test_files_are_copied_through_a_small_buffer_not_read_whole(make_case, admin_user):
    # given: an 8 MB file that does not compress
    big = b"%PDF-1.4 " + os.urandom(8 * 1024 * 1024)
    case = make_case(attachments=[SimpleUploadedFile("scan.pdf", big)])
    # when
    tracemalloc.start()
    try:
        out, _counts = customer_export_file(customer=case.customer, user=admin_user)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # then
    with zipfile.ZipFile(out) as archive:
        assert big in [archive.read(n) for n in archive.namelist()]
    out.close()
    assert peak < 4 * 1024 * 1024
