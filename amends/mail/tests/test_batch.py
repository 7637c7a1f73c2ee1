"""The drain takes stored mail in batches: one transaction, lookups for the whole batch, new
complaints opened together, and a message at fault failing alone."""

import hashlib

import pytest

from amends.cases.choices import Status
from amends.cases.models import Case
from amends.cases.services import intake as intake_module
from amends.cases.services import lifecycle
from amends.core.models import AuditEvent
from amends.customers.models import Customer
from amends.mail.models import InboundMail, InboundStatus, Via
from amends.mail.services import inbound_process_pending
from amends.mail.tests.test_process import _bounce_for, _our_reply, mail
from amends.notify.models import Notification, NotificationStatus

pytestmark = pytest.mark.django_db


def stored(raw: bytes) -> InboundMail:
    """A row as inbound_store leaves it, without the inline drain the test backend would run."""
    from amends.core import clock
    from amends.mail.store import _header_message_id

    return InboundMail.objects.create(
        raw=raw,
        size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        message_id=_header_message_id(raw),
        via=Via.PIPE,
        received_at=clock.now(),
    )


@pytest.fixture
def answered_case(agent):
    row = stored(mail(sender="Dana Levi <dana@example.com>", body="The delivery never came."))
    inbound_process_pending()
    row.refresh_from_db()
    case = lifecycle.case_assign(case=row.case, owner=agent, actor=agent)
    return case, _our_reply(case)


def test_a_mixed_batch_is_taken_in_in_one_pass(answered_case, settings, django_assert_max_num_queries):
    settings.AMENDS_MAIL_BATCH = 50
    case, ours = answered_case
    rows = {
        "new_1": stored(mail(sender="Amir Haddad <amir@example.com>", body="First complaint from Amir.")),
        "new_2": stored(mail(sender="Amir Haddad <AMIR@example.com>", body="Second complaint, same sender.")),
        "new_ru": stored(
            mail(sender="Ольга <olga@example.ru>", body="Посылка пришла разбитой, прошу вернуть деньги.")
        ),
        "reply": stored(mail(sender="dana@example.com", body="Any news?", headers={"In-Reply-To": ours})),
        "spoof": stored(
            mail(sender="eve@example.net", body="Send the refund to me.", headers={"In-Reply-To": ours})
        ),
        "auto": stored(mail(sender="amir@example.com", headers={"Auto-Submitted": "auto-replied"})),
        "no_sender": stored(mail(sender=None, body="Nobody to answer to.")),
        "bounce": stored(_bounce_for(ours, "dana@example.com")),
    }
    # Tests run drain tasks inline: this count includes the acknowledgements' send drain and
    # the analysis, similarity and suggestion drains the batch kicks (each a few queries per
    # new message), which the worker runs as separate tasks.
    with django_assert_max_num_queries(100):
        assert inbound_process_pending() == len(rows)
    got = {name: InboundMail.objects.get(pk=row.pk) for name, row in rows.items()}
    status = {name: row.status for name, row in got.items()}
    assert status == {
        "new_1": InboundStatus.PROCESSED,
        "new_2": InboundStatus.PROCESSED,
        "new_ru": InboundStatus.PROCESSED,
        "reply": InboundStatus.PROCESSED,
        "spoof": InboundStatus.HELD,
        "auto": InboundStatus.IGNORED,
        "no_sender": InboundStatus.UNPROCESSABLE,
        "bounce": InboundStatus.BOUNCE,
    }
    assert got["no_sender"].error and got["no_sender"].case is None and got["no_sender"].attempts == 1
    # Two mails from one new address in one batch: one customer, two cases.
    assert got["new_1"].case.customer_id == got["new_2"].case.customer_id
    assert Customer.objects.filter(identities__value="amir@example.com").count() == 1
    assert got["new_1"].case != got["new_2"].case
    assert got["new_ru"].case.language == "ru" and got["new_ru"].case_message.body.startswith("Посылка")
    assert got["reply"].case == case and got["reply"].case_message.body == "Any news?"
    assert got["spoof"].case == case and not case.messages.filter(body="Send the refund to me.").exists()
    for name in ("new_1", "new_2", "new_ru"):
        opened = got[name].case
        assert opened.next_due_at is not None and opened.first_response_due is not None
        assert opened.clocks.filter(state="running").exists()
        assert Notification.objects.filter(case=opened, event="received").count() == 1
    assert Notification.objects.get(message_id=ours).status == NotificationStatus.FAILED


def test_the_acknowledgement_cap_counts_the_batch_itself(settings):
    settings.AMENDS_MAIL_ACK_CAP = 2
    rows = [stored(mail(body=f"Complaint number {n}, same sender.")) for n in range(4)]
    assert inbound_process_pending() == 4
    assert Notification.objects.filter(event="received", to_address="noa@example.com").count() == 2
    assert (
        InboundMail.objects.filter(pk__in=[r.pk for r in rows], status=InboundStatus.PROCESSED).count() == 4
    )


def test_when_opening_the_batch_fails_each_mail_is_tried_alone(monkeypatch):
    """A fault that only shows when the cases are inserted: the batch is retried one mail at a
    time, so only the mail at fault is unprocessable."""
    real = intake_module.cases_open

    def fragile(intakes, **kwargs):
        if any("poison" in i.body for i in intakes):
            raise RuntimeError("the database refused the row")
        return real(intakes, **kwargs)

    monkeypatch.setattr("amends.mail.services.cases_open", fragile)
    good = stored(mail(sender="a@example.com", body="A fair complaint."))
    bad = stored(mail(sender="b@example.com", body="A poison complaint."))
    also_good = stored(mail(sender="c@example.com", body="Another fair complaint."))
    inbound_process_pending()
    good, bad, also_good = (InboundMail.objects.get(pk=r.pk) for r in (good, bad, also_good))
    assert good.status == also_good.status == InboundStatus.PROCESSED
    assert bad.status == InboundStatus.UNPROCESSABLE and "refused" in bad.error
    assert Case.objects.count() == 2


def test_a_long_backlog_yields_and_queues_its_next_run(settings):
    settings.AMENDS_MAIL_BATCH = 2
    for n in range(5):
        stored(mail(sender=f"p{n}@example.com", body=f"Complaint {n}."))
    # Immediate test backend: the re-queued run happens inline, so everything is taken in.
    assert inbound_process_pending(max_batches=1) == 2
    assert InboundMail.objects.filter(status=InboundStatus.STORED).count() == 0


def test_a_reply_to_a_closed_case_in_a_batch_opens_a_new_case(answered_case, agent):
    case, ours = answered_case
    case = lifecycle.case_resolve(
        case=case, actor=agent, resolution_type="refund", decision="upheld", summary="Refund sent."
    )
    lifecycle.case_close(case=case, actor=agent)
    row = stored(mail(sender="dana@example.com", body="It broke again.", headers={"In-Reply-To": ours}))
    inbound_process_pending()
    row.refresh_from_db()
    assert row.status == InboundStatus.PROCESSED and row.case != case
    assert row.case.status == Status.NEW and Case.objects.get(pk=case.pk).status == Status.CLOSED


def test_a_reply_that_fails_leaves_the_rest_of_the_batch_standing(answered_case, monkeypatch):
    """The batch's replies fail together: they are tried one at a time, and only the one at
    fault is marked; nothing half-written stays."""
    case, ours = answered_case
    real = lifecycle.case_customer_message

    def fragile(**kwargs):
        if "poison" in kwargs["body"]:
            real(**{**kwargs, "body": "half written"})  # writes, then the database refuses:
            raise RuntimeError("deadlock detected")  # as if inside its own transaction

        return real(**kwargs)

    monkeypatch.setattr("amends.mail.services.case_customer_message", transaction_atomic_wrapped(fragile))
    real_batch = lifecycle.customer_messages_add

    def fragile_batch(items, **kwargs):
        if any("poison" in item.body for item in items):
            real_batch(items, **kwargs)  # writes, then the database refuses the batch
            raise RuntimeError("deadlock detected")
        return real_batch(items, **kwargs)

    monkeypatch.setattr("amends.mail.services.customer_messages_add", fragile_batch)
    bad = stored(mail(sender="dana@example.com", body="A poison reply.", headers={"In-Reply-To": ours}))
    good = stored(mail(sender="dana@example.com", body="A fine reply.", headers={"In-Reply-To": ours}))
    new = stored(mail(sender="z@example.com", body="A new complaint."))
    inbound_process_pending()
    bad, good, new = (InboundMail.objects.get(pk=r.pk) for r in (bad, good, new))
    assert bad.status == InboundStatus.UNPROCESSABLE and "deadlock" in bad.error
    assert good.status == new.status == InboundStatus.PROCESSED
    assert not case.messages.filter(body="half written").exists()  # rolled back with it
    assert case.messages.filter(body="A fine reply.").exists()


def transaction_atomic_wrapped(function):
    """Like the real service: atomic, so its failure rolls back only its own savepoint."""
    from django.db import transaction

    return transaction.atomic(function)


def test_two_replies_to_one_case_in_a_batch_are_both_kept_and_reopen_it_once(answered_case, agent):
    case, ours = answered_case
    lifecycle.case_ask(case=case, actor=agent, body="Which address should we send it to?")
    first = stored(mail(sender="dana@example.com", body="To my office.", headers={"In-Reply-To": ours}))
    second = stored(mail(sender="dana@example.com", body="Ground floor.", headers={"In-Reply-To": ours}))
    inbound_process_pending()
    first, second = (InboundMail.objects.get(pk=r.pk) for r in (first, second))
    assert first.status == second.status == InboundStatus.PROCESSED
    assert [m.body for m in case.messages.order_by("pk")][-2:] == ["To my office.", "Ground floor."]
    case.refresh_from_db()
    assert case.status == Status.OPEN and case.next_due_at is not None
    assert case.clocks.filter(kind="next_response", state="running").count() == 1
    replied = AuditEvent.objects.filter(name="cases.customer_replied", target_id=case.pk).order_by("pk")
    assert [e.changes for e in replied][-2:] == [{"status": ["waiting", "open"]}, {}]  # reopened once
