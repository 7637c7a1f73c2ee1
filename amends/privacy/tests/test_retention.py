"""The retention job: attachment files go AMENDS_ATTACHMENT_RETENTION_MONTHS after their case
closed (off by default); the case then says "removed under the retention policy"."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from amends.cases.models import Attachment
from amends.cases.services import lifecycle
from amends.core import clock
from amends.portal.services import portal_case_link
from amends.privacy.services.retention import attachments_remove_expired, months_before
from amends.privacy.tests.conftest import at

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 the invoice"


@pytest.fixture
def closed_case(make_case, agent):
    """A case with a file, closed on 31 January 2026 at noon."""
    clock.freeze(at(2026, 1, 20, 9, 0))
    case = make_case(attachments=[SimpleUploadedFile("invoice.pdf", PDF)])
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    lifecycle.case_resolve(case=case, actor=agent, resolution_type="fix", decision="upheld", summary="Fixed.")
    clock.freeze(at(2026, 1, 31, 12, 0))
    lifecycle.case_close(case=case, actor=agent)
    return case


def _attachment(case) -> Attachment:
    return Attachment.objects.get(message__case=case)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (at(2026, 7, 31, 12, 0), 6, at(2026, 1, 31, 12, 0)),
        (at(2026, 3, 31, 8, 0), 1, at(2026, 2, 28, 8, 0)),  # no 31 February: its last day
        (at(2028, 3, 30, 8, 0), 1, at(2028, 2, 29, 8, 0)),  # a leap year
        (at(2026, 1, 15, 0, 0), 13, at(2024, 12, 15, 0, 0)),
    ],
)
def test_months_before_counts_calendar_months(moment, months, expected):
    assert months_before(moment, months) == expected


def test_off_by_default_nothing_is_removed(closed_case, settings):
    # given
    assert settings.AMENDS_ATTACHMENT_RETENTION_MONTHS is None
    clock.freeze(at(2036, 1, 1, 0, 0))
    # when / then
    assert attachments_remove_expired() == 0
    assert _attachment(closed_case).removed_at is None


def test_the_file_goes_once_the_period_after_closure_has_passed(
    closed_case, settings, django_capture_on_commit_callbacks
):
    # given
    settings.AMENDS_ATTACHMENT_RETENTION_MONTHS = 6
    path = Path(_attachment(closed_case).file.path)
    # when: a minute before six months, then a minute after
    clock.freeze(at(2026, 7, 31, 11, 59))
    with django_capture_on_commit_callbacks(execute=True):
        early = attachments_remove_expired()
    clock.freeze(at(2026, 7, 31, 12, 1))
    with django_capture_on_commit_callbacks(execute=True):
        due = attachments_remove_expired()
    # then
    assert (early, due) == (0, 1)
    attachment = _attachment(closed_case)
    assert attachment.removed_at == at(2026, 7, 31, 12, 1)
    assert (attachment.file.name, attachment.filename, attachment.size) == ("", "invoice.pdf", len(PDF))
    assert not path.exists()
    # and a second run finds nothing more
    assert attachments_remove_expired() == 0


def test_open_and_reopened_cases_keep_their_files(closed_case, make_case, agent, settings):
    # given: a case never closed, and the closed one reopened
    settings.AMENDS_ATTACHMENT_RETENTION_MONTHS = 1
    open_case = make_case(email="open@example.com", attachments=[SimpleUploadedFile("a.pdf", PDF)])
    lifecycle.case_reopen(case=closed_case, actor=agent, reason="The customer wrote again.")
    clock.freeze(at(2027, 1, 1, 0, 0))
    # when / then
    assert attachments_remove_expired() == 0
    assert _attachment(open_case).removed_at is None
    assert _attachment(closed_case).removed_at is None


def test_the_desk_and_the_portal_say_removed_instead_of_linking(closed_case, client, agent, settings):
    # given
    settings.AMENDS_ATTACHMENT_RETENTION_MONTHS = 6
    clock.freeze(at(2026, 8, 1, 0, 0))
    attachments_remove_expired()
    attachment = _attachment(closed_case)
    download = reverse("desk:attachment", kwargs={"public_id": attachment.public_id})
    client.force_login(agent)
    # when
    desk_page = client.get(reverse("desk:case", kwargs={"public_id": closed_case.public_id})).content.decode()
    desk_download = client.get(download)
    client.get("/" + portal_case_link(closed_case).split("/", 3)[3])
    portal_page = client.get(
        reverse("portal:case", kwargs={"public_id": closed_case.public_id})
    ).content.decode()
    portal_download = client.get(reverse("portal:attachment", kwargs={"public_id": attachment.public_id}))
    # then
    for page in (desk_page, portal_page):
        assert "invoice.pdf" in page
        assert "removed under the retention policy" in page
        assert str(attachment.public_id) not in page  # no link to it
    assert (desk_download.status_code, portal_download.status_code) == (404, 404)


def test_a_run_is_capped_and_the_next_run_goes_on(make_case, agent, settings, monkeypatch):
    # given: three closed cases' files, batches of one, two batches per run
    settings.AMENDS_ATTACHMENT_RETENTION_MONTHS = 1
    monkeypatch.setattr("amends.privacy.services.retention.RETENTION_BATCH", 1)
    monkeypatch.setattr("amends.privacy.services.retention.RETENTION_BATCHES_PER_RUN", 2)
    clock.freeze(at(2026, 1, 5, 9, 0))
    for n in range(3):
        case = make_case(email=f"c{n}@example.com", attachments=[SimpleUploadedFile("f.pdf", PDF)])
        lifecycle.case_assign(case=case, owner=agent, actor=agent)
        lifecycle.case_resolve(
            case=case, actor=agent, resolution_type="fix", decision="upheld", summary="Done."
        )
        lifecycle.case_close(case=case, actor=agent)
    clock.freeze(at(2026, 6, 1, 0, 0))
    # when / then
    assert attachments_remove_expired() == 2
    assert attachments_remove_expired() == 1
    assert not Attachment.objects.filter(removed_at__isnull=True).exists()
