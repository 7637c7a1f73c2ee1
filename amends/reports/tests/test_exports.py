"""CSV and XLSX exports: their contents, formulas neutralised, the background export with its
progress and download, and who may fetch a file."""

import csv
import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import reverse

from amends.reports.models import ExportStatus, ReportExport
from amends.reports.services.exports import cell, csv_lines, xlsx_write

PERIOD_PARAMS = {"from": "2026-02-01", "to": "2026-02-28"}
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return b"".join(response) if hasattr(response, "file_to_stream") else response.content


def xlsx_rows(data: bytes) -> list[list[str]]:
    """The first sheet's cells as text (xlsxwriter's constant_memory writes strings inline)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in root.iter(f"{{{NS['m']}}}row"):
        values = []
        for c in row.iter(f"{{{NS['m']}}}c"):
            text = c.find("m:is/m:t", NS)
            value = c.find("m:v", NS)
            values.append(text.text if text is not None else (value.text if value is not None else ""))
        rows.append(values)
    return rows


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+972501234567", "'+972501234567"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (-2, -2),
    ],
)
def test_text_that_could_start_a_formula_gets_an_apostrophe(value, expected):
    assert cell(value) == expected


def test_csv_and_xlsx_writers_neutralise_every_text_cell(tmp_path):
    # given
    rows = [['=HYPERLINK("http://evil")', 3, None], ["ok", -1.5, "@x"]]
    # when
    text = "".join(csv_lines(["=h", "n", "t"], rows))
    path = tmp_path / "t.xlsx"
    count = xlsx_write(str(path), [("Sheet", ["=h", "n", "t"], rows)])
    # then
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [
        ["'=h", "n", "t"],
        ['\'=HYPERLINK("http://evil")', "3", ""],
        ["ok", "-1.5", "'@x"],
    ]
    assert count == 2
    assert xlsx_rows(path.read_bytes()) == [
        ["'=h", "n", "t"],
        ['\'=HYPERLINK("http://evil")', "3"],
        ["ok", "-1.5", "'@x"],
    ]
    assert b"<f>" not in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")


@pytest.fixture
def lead_client(lead):
    client = Client()
    client.force_login(lead)
    return client


def test_a_dashboard_table_downloads_as_csv_and_xlsx(world, lead_client):
    url = reverse("desk:reports:table")
    # when
    as_csv = lead_client.get(url, {**PERIOD_PARAMS, "table": "channels", "format": "csv"})
    as_xlsx = lead_client.get(url, {**PERIOD_PARAMS, "table": "channels", "format": "xlsx"})
    # then
    rows = list(csv.reader(io.StringIO(_body(as_csv).decode("utf-8").lstrip("\ufeff"))))
    assert rows[0] == ["Channel", "All", "Vulnerable", "Others"]
    assert sorted(r[:2] for r in rows[1:]) == [["Email", "1"], ["Phone", "1"], ["Web form", "2"]]
    assert as_xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx_rows(_body(as_xlsx))[0] == ["Channel", "All", "Vulnerable", "Others"]
    assert lead_client.get(url, {"table": "nope"}).status_code == 404


def test_the_case_list_streams_as_csv_with_subjects_neutralised(world, lead_client):
    # when
    response = lead_client.get(reverse("desk:reports:cases-csv"), {**PERIOD_PARAMS, "figure": "opened"})
    # then
    assert response.streaming
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8").lstrip("\ufeff"))))
    assert rows[0][0] == "Reference"
    assert len(rows) == 5
    subjects = sorted(r[-1] for r in rows[1:])
    assert subjects == sorted(["A", "B", "C", '\'=HYPERLINK("x")'])
    assert all(re.fullmatch(r"AM-[0-9A-Z]+", r[0]) for r in rows[1:])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_background_export_shows_progress_then_the_file(world, lead_client, fmt):
    # when: the task runs inline in tests (the worker runs it in production)
    response = lead_client.post(
        reverse("desk:reports:export-start"), {**PERIOD_PARAMS, "figure": "resolved", "format": fmt}
    )
    export = ReportExport.objects.get()
    page = lead_client.get(response["Location"])
    partial = lead_client.get(response["Location"], headers={"HX-Request": "true"})
    download = lead_client.get(
        reverse("desk:reports:export-download", kwargs={"public_id": export.public_id})
    )
    # then
    assert response.status_code == 302
    assert (export.status, export.rows_total, export.rows_done) == (ExportStatus.DONE, 2, 2)
    assert "export-download" in page.content.decode()
    assert "<html" not in partial.content.decode()
    data = _body(download)
    rows = (
        list(csv.reader(io.StringIO(data.decode("utf-8").lstrip("\ufeff"))))
        if fmt == "csv"
        else xlsx_rows(data)
    )
    assert sorted(r[-1] for r in rows[1:]) == ["A", "B"]


def test_an_export_in_progress_is_polled_and_not_downloadable(world, lead, lead_client):
    # given
    from amends.core import clock

    export = ReportExport.objects.create(
        requested_by=lead,
        format="csv",
        query={},
        status=ExportStatus.RUNNING,
        rows_total=10,
        rows_done=4,
        created_at=clock.now(),
    )
    url = reverse("desk:reports:export", kwargs={"public_id": export.public_id})
    # when
    page = lead_client.get(url, headers={"HX-Request": "true"}).content.decode()
    download = lead_client.get(
        reverse("desk:reports:export-download", kwargs={"public_id": export.public_id})
    )
    # then
    assert 'hx-trigger="every 1s"' in page
    assert 'value="40"' in page
    assert download.status_code == 404


def test_someone_elses_export_is_not_found(world, lead, admin_user, lead_client):
    # given
    lead_client.post(reverse("desk:reports:export-start"), {**PERIOD_PARAMS, "format": "csv"})
    export = ReportExport.objects.get()
    other = Client()
    other.force_login(admin_user)
    # when / then
    for name in ("desk:reports:export", "desk:reports:export-download"):
        assert other.get(reverse(name, kwargs={"public_id": export.public_id})).status_code == 404
