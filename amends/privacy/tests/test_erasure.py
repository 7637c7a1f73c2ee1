"""Erasure (R-PR-1): nothing that identifies the customer is left anywhere in the database or
on disk, the statistics do not move, and the act is logged without the values."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from amends.cases.choices import Status
from amends.cases.models import Attachment, Case, Message
from amends.cases.services import lifecycle
from amends.cases.services.intake import case_open
from amends.core.models import AuditEvent
from amends.customers.models import Customer
from amends.customers.value.services import customer_value_set
from amends.mail.models import InboundMail
from amends.notify.models import Notification, NotificationStatus
from amends.portal.services import portal_case_link
from amends.privacy import events
from amends.privacy.services.erasure import ERASED, customer_erase
from amends.privacy.tests.conftest import PERSONAL
from amends.privacy.tests.dump import database_text, tables_containing
from amends.sla.models import CaseClock, Commitment, Escalation, FollowUp

pytestmark = pytest.mark.django_db


def _stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _statistics(customer: Customer) -> dict:
    """What reports count on: the cases' handling, clocks, promises, checks and message counts."""
    cases = Case.objects.filter(customer=customer).order_by("pk")
    return {
        "cases": list(
            cases.values_list(
                "reference",
                "status",
                "category_id",
                "priority",
                "channel",
                "language",
                "owner_id",
                "team_id",
                "created_at",
                "first_response_due",
                "first_responded_at",
                "resolved_at",
                "closed_at",
                "sla_breached",
                "decision",
                "resolution_type",
                "redress_amount",
                "desired_outcome",
            )
        ),
        "messages": list(
            Message.objects.filter(case__in=cases)
            .order_by("pk")
            .values_list("kind", "author_id", "created_at")
        ),
        "clocks": list(
            CaseClock.objects.filter(case__in=cases).order_by("pk").values_list("kind", "state", "due_at")
        ),
        "promises": list(
            Commitment.objects.filter(case__in=cases)
            .order_by("pk")
            .values_list("status", "due_at", "times_moved")
        ),
        "checks": list(FollowUp.objects.filter(case__in=cases).values_list("status", "solved", "rating")),
        "escalations": list(Escalation.objects.filter(case__in=cases).values_list("reason", "created_at")),
        "audit": list(
            AuditEvent.objects.filter(target_type="case", target_id__in=cases.values("pk"))
            .order_by("pk")
            .values_list("name", "actor_id", "created_at")
        ),
        "notifications": list(
            Notification.objects.filter(case__in=cases).order_by("pk").values_list("event", "created_at")
        ),
        "received": list(InboundMail.objects.filter(case__in=cases).values_list("size", "via", "status")),
    }


def test_no_personal_string_is_left_anywhere_in_the_database(
    history, admin_user, django_capture_on_commit_callbacks
):
    # given: her words, name and addresses are spread over many tables
    assert set(tables_containing(PERSONAL)) >= {
        "customers_customer",
        "customers_customeridentity",
        "cases_case",
        "cases_message",
        "cases_attachment",
        "mail_inboundmail",
        "notify_notification",
        "core_auditevent",
        "sla_commitment",
        "sla_followup",
        "sla_escalation",
    }
    # when
    with django_capture_on_commit_callbacks(execute=True):
        customer_erase(customer=history.customer, actor=admin_user)
    # then: every table's every value, read with plain SQL
    assert tables_containing(PERSONAL) == {}


def test_the_statistics_do_not_change(history, admin_user):
    # given
    before = _statistics(history.customer)
    assert len(before["cases"]) == 2 and before["promises"] and before["checks"] and before["clocks"]
    # when
    customer_erase(customer=history.customer, actor=admin_user)
    # then
    assert _statistics(history.customer) == before
    assert Customer.objects.filter(pk=history.customer.pk).exists()


def test_her_value_figures_are_forgotten(history, admin_user):
    # given
    customer_value_set(
        customer=history.customer,
        actor=admin_user,
        purchases_per_year=Decimal("4"),
        expected_years=Decimal("5"),
        margin_per_purchase=Decimal("120"),
    )
    # when
    customer_erase(customer=history.customer, actor=admin_user)
    # then
    customer = Customer.objects.get(pk=history.customer.pk)
    figures = (customer.purchases_per_year, customer.expected_years, customer.margin_per_purchase)
    assert figures == (None, None, None) and customer.lifetime_value is None


def test_texts_become_the_placeholder_and_empty_ones_stay_empty(history, admin_user):
    # when
    customer_erase(customer=history.customer, actor=admin_user)
    # then
    customer = Customer.objects.get(pk=history.customer.pk)
    assert (customer.full_name, customer.address, customer.identities.count()) == (ERASED, ERASED, 0)
    assert set(Message.objects.filter(case__customer=customer).values_list("body", flat=True)) == {ERASED}
    web_case = Case.objects.get(pk=history.web_case.pk)
    assert (web_case.order_number, web_case.desired_outcome_detail, web_case.summary) == (ERASED, ERASED, "")
    moved = AuditEvent.objects.get(name="sla.promise_moved", target_id=history.mail_case.pk)
    assert moved.data["reason"] == ERASED
    assert moved.data["to"] == "2026-03-05T12:00:00+02:00"  # a date, kept


def test_files_are_deleted_only_once_the_erasure_commits(
    history, admin_user, django_capture_on_commit_callbacks
):
    # given
    files = _stored_files()
    assert len(files) == 3  # her mail's file, the note's file, the web form's file
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        customer_erase(customer=history.customer, actor=admin_user)
    # then: still there until the commit, gone after it
    assert _stored_files() == files
    for callback in callbacks:
        callback()
    assert _stored_files() == set()
    assert not Attachment.objects.filter(message__case__customer=history.customer).exists()


def test_an_erasure_rolled_back_leaves_everything(history, admin_user, django_capture_on_commit_callbacks):
    # given
    files = _stored_files()

    @transaction.atomic
    def erase_then_fail():
        customer_erase(customer=history.customer, actor=admin_user)
        raise RuntimeError("the caller fails")

    # when: the transaction around it fails after the erasure
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        erase_then_fail()
    # then
    assert _stored_files() == files
    assert Customer.objects.get(pk=history.customer.pk).full_name == "Zephyrine Quillfeather"
    assert not AuditEvent.objects.filter(name=events.CUSTOMER_ERASED).exists()


def test_erasing_again_changes_nothing_and_counts_nothing(
    history, admin_user, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        first = customer_erase(customer=history.customer, actor=admin_user)
    after_first = database_text()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        second = customer_erase(customer=history.customer, actor=admin_user)
    # then
    assert first.messages == 9 and first.contact_details == 2 and first.attachments == 3
    assert set(vars(second).values()) == {0}
    after_second = database_text()
    after_second["core_auditevent"] = after_first["core_auditevent"]  # one more erasure row, below
    assert after_second == after_first
    assert AuditEvent.objects.filter(name=events.CUSTOMER_ERASED).count() == 2


def test_the_act_is_logged_with_who_and_the_counts_never_the_values(history, admin_user):
    # when
    counts = customer_erase(customer=history.customer, actor=admin_user)
    # then
    event = AuditEvent.objects.get(name=events.CUSTOMER_ERASED)
    assert (event.target_type, event.target_id, event.actor) == ("customer", history.customer.pk, admin_user)
    assert event.data == vars(counts)
    assert all(isinstance(n, int) for n in event.data.values())


def test_received_mail_keeps_only_its_size_route_and_status(history, admin_user):
    # given
    mail = InboundMail.objects.get(case=history.mail_case)
    size = mail.size
    # when
    customer_erase(customer=history.customer, actor=admin_user)
    # then
    mail.refresh_from_db()
    assert bytes(mail.raw) == b""
    assert (mail.from_address, mail.subject, mail.message_id, mail.envelope_from) == ("", "", "", "")
    assert (mail.size, mail.status) == (size, "processed")


def test_her_portal_links_stop_working(history, admin_user):
    # given: a link from one of her mails
    link = "/" + portal_case_link(history.web_case).split("/", 3)[3]
    assert Client().get(link).status_code == 302  # opens her case
    # when
    customer_erase(customer=history.customer, actor=admin_user)
    # then
    assert Client().get(link).status_code == 410


def test_waiting_mail_is_not_sent_and_later_mail_has_nowhere_to_go(history, admin_user, agent, settings):
    # given: a notice waiting to be folded with the next
    settings.AMENDS_NOTIFY_FOLD_SECONDS = 120
    lifecycle.case_assign(case=history.web_case, owner=agent, actor=agent)
    waiting = Notification.objects.filter(case=history.web_case, status=NotificationStatus.QUEUED)
    assert waiting.count() == 1
    # when
    customer_erase(customer=history.customer, actor=admin_user)
    lifecycle.case_reply(case=history.web_case, actor=agent, body="Is anyone there?")
    # then
    statuses = set(Notification.objects.filter(case=history.web_case).values_list("status", "to_address"))
    assert NotificationStatus.QUEUED not in {s for s, _to in statuses}
    assert (NotificationStatus.SKIPPED, "") in statuses


def test_other_customers_are_untouched_and_she_can_come_back_as_someone_new(history, admin_user):
    # given
    other_before = list(Message.objects.filter(case=history.other_case).values_list("body", flat=True))
    # when
    customer_erase(customer=history.customer, actor=admin_user)
    again = case_open(
        channel="web", body="Hello again", full_name="Zephyrine Q", email="zephyrine.q@example.net"
    )
    # then
    assert (
        list(Message.objects.filter(case=history.other_case).values_list("body", flat=True)) == other_before
    )
    assert Customer.objects.get(pk=history.other_case.customer_id).full_name == "Bertram Other"
    assert again.customer_id != history.customer.pk
    assert again.status == Status.NEW
