"""The send drain: queued notifications go out in batches, each over one SMTP connection, with
the retry, failure and at-least-once rules of docs/subsystems/notify.md.

Most tests here switch to the database task backend, as in production, so that queuing only
kicks the drain (one waiting task for any number of rows) and the worker's loop runs it; the
rest use the test backend, which runs the drain inline at every kick."""

from datetime import timedelta

import pytest
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from amends.cases.services import lifecycle
from amends.core import clock
from amends.notify import services
from amends.notify.models import Notification, NotificationStatus
from amends.notify.services import customer_notify, notifications_retry_stuck, notifications_send_due
from amends.notify.tests.smtp_sink import free_port, smtp_mailer

pytestmark = pytest.mark.django_db

DRAIN = "amends.notify.tasks.notifications_drain_task"
# Tests where the worker runs more than one drain: each step commits, as the worker and the
# services do in production. drain_kick looks at the queue once per transaction, so one test
# transaction around everything would hide the kicks after the first.
queue_backed = pytest.mark.django_db(transaction=True)


@pytest.fixture
def task_queue(settings, monkeypatch):
    """Tasks go to the database and wait for the worker, as in production. The worker's loop
    closes "old" connections between tasks, which inside the test's transaction would close the
    test database: not here."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)


def _replies(case, addresses: list[str]) -> list[Notification]:
    return [
        customer_notify(
            case=case,
            event="reply",
            context={"body": f"Answer {i}", "author_name": "Dana"},
            to_address=address,
        )
        for i, address in enumerate(addresses)
    ]


def _worker_run() -> int:
    """django-tasks-db's worker loop until no task is ready; returns how many tasks it ran."""
    before = DBTaskResult.objects.exclude(status="READY").count()
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    ).run()
    return DBTaskResult.objects.exclude(status="READY").count() - before


def _statuses(rows: list[Notification]) -> list[str]:
    return [Notification.objects.get(pk=n.pk).status for n in rows]


def test_a_batch_goes_out_over_one_connection(sink, case, task_queue, django_assert_max_num_queries):
    # given 40 replies queued on a case: one drain task waits for all of them
    sink.received.clear()  # the acknowledgement, sent when the case was opened
    queued = _replies(case, [f"c{i}@example.com" for i in range(40)])
    assert DBTaskResult.objects.filter(status="READY", task_path=DRAIN).count() == 1
    # when the drain runs
    with django_assert_max_num_queries(8):  # claim (select + update), one update for the sent
        assert notifications_send_due() == 40
    # then the relay got each one once, all over one connection, and all are recorded sent
    assert sorted(m["To"] for m in sink.received) == sorted(n.to_address for n in queued)
    assert sink.connections() == 1
    assert set(_statuses(queued)) == {NotificationStatus.SENT}
    assert Notification.objects.filter(pk__in=[n.pk for n in queued], attempts=1).count() == 40


@queue_backed
def test_a_long_backlog_is_sent_in_runs_that_queue_the_next(sink, case, task_queue, monkeypatch):
    # given batches of 5, two batches to a run, and 23 mails waiting
    monkeypatch.setattr(services, "BATCH_SIZE", 5)
    monkeypatch.setattr("amends.notify.tasks.DRAIN_BATCHES_PER_RUN", 2)
    sink.received.clear()
    queued = _replies(case, [f"c{i}@example.com" for i in range(23)])
    # when the worker runs until nothing is ready
    tasks_run = _worker_run()
    # then three runs of the drain sent them, a connection per batch, each mail once
    assert tasks_run == 3
    assert len(sink.received) == 23 and sink.connections() == 5
    assert set(_statuses(queued)) == {NotificationStatus.SENT}


@queue_backed
def test_a_refused_recipient_fails_only_its_own_mail(sink, case, agent, task_queue):
    # given a case with an owner and five replies in one batch, one to an address that does not exist
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    sink.refuse_for("gone@example.com", "RCPT", "550 5.1.1 No such user")
    addresses = ["a@example.com", "b@example.com", "gone@example.com", "c@example.com", "d@example.com"]
    queued = _replies(case, addresses)
    # when the worker sends them
    _worker_run()
    # then the other four went over one connection and only the refused one failed, at once
    assert _statuses(queued) == ["sent", "sent", "failed", "sent", "sent"]
    batch = [m for m in sink.received if m["To"] in addresses]
    assert len(batch) == 4 and len({m.session for m in batch}) == 1
    refused = Notification.objects.get(pk=queued[2].pk)
    assert refused.attempts == 1 and "550 5.1.1 No such user" in refused.error
    # and the owner was told (a staff mail queued by the failure, sent by the next drain run)
    alert = Notification.objects.get(recipient=agent, event="delivery_failed")
    assert alert.status == NotificationStatus.SENT and "gone@example.com" in alert.body
    assert len(sink.to(agent.email)) == 1


def test_a_dropped_connection_is_opened_again_once(sink, case, task_queue):
    # given five replies, and a relay that closes the connection (421) at the third
    sink.refuse_for("c3@example.com", "DATA", "421 4.3.2 Service shutting down")
    sink.received.clear()
    queued = _replies(case, [f"c{i}@example.com" for i in range(1, 6)])
    # when the drain sends them
    assert notifications_send_due() == 4
    # then the third waits for another try; the others went, the last two over a new connection
    assert _statuses(queued) == ["sent", "sent", "queued", "sent", "sent"]
    first, second, third, fourth = (m.session for m in sink.received)
    assert first == second != third == fourth
    assert "421" in Notification.objects.get(pk=queued[2].pk).error


def test_a_connection_lost_twice_leaves_the_rest_queued(sink, case, task_queue):
    # given five replies and a relay that closes the connection at the second and the third
    clock.freeze(clock.now())
    sink.refuse_for("c2@example.com", "DATA", "421 4.3.2 Service shutting down")
    sink.refuse_for("c3@example.com", "DATA", "421 4.3.2 Service shutting down")
    sink.received.clear()
    queued = _replies(case, [f"c{i}@example.com" for i in range(1, 6)])
    # when the drain sends them
    assert notifications_send_due() == 1
    # then after the one new connection is lost too, the rest are not tried and wait their delay
    assert _statuses(queued) == ["sent", "queued", "queued", "queued", "queued"]
    waiting = Notification.objects.filter(pk__in=[n.pk for n in queued[1:]])
    assert {(n.attempts, n.next_attempt_at) for n in waiting} == {(1, clock.now() + timedelta(seconds=60))}


@queue_backed
def test_while_the_server_is_down_all_wait_and_go_after_the_delay(settings, sink, case, task_queue):
    # given the relay unreachable and the first attempt at a minute past
    clock.freeze(clock.now())
    settings.MAILERS = smtp_mailer(free_port())
    sink.received.clear()
    queued = _replies(case, [f"c{i}@example.com" for i in range(5)])
    # when the worker runs
    _worker_run()
    # then each is queued again after one attempt, with the reason, due a minute later
    rows = Notification.objects.filter(pk__in=[n.pk for n in queued])
    assert {n.status for n in rows} == {NotificationStatus.QUEUED}
    assert all(n.attempts == 1 and "ConnectionRefusedError" in n.error for n in rows)
    assert {n.next_attempt_at for n in rows} == {clock.now() + timedelta(seconds=60)}
    # when the relay is back: nothing goes before the delay, even if the drain runs
    settings.MAILERS = smtp_mailer(sink.port)
    clock.freeze(clock.now() + timedelta(seconds=59))
    assert notifications_retry_stuck() == 0
    assert notifications_send_due() == 0
    # and after it the periodic job queues a drain run that sends all five over one connection
    clock.freeze(clock.now() + timedelta(seconds=2))
    assert notifications_retry_stuck() == 5
    _worker_run()
    assert {n.status for n in rows.all()} == {NotificationStatus.SENT}
    assert len(sink.received) == 5 and sink.connections() == 1


def test_a_failed_mail_is_not_tried_again_before_its_delay(sink, case, agent):
    """The test backend runs the drain at every kick: other mails queued meanwhile must not
    pull the failed one forward. The delay doubles: 1 minute, then 2."""
    # given a reply put off by the relay (451): first attempt at T
    clock.freeze(clock.now())
    start = clock.now()
    sink.refuse("DATA", "451 4.3.0 Try again later")
    lifecycle.case_reply(case=case, actor=agent, body="First.")
    first = Notification.objects.get(case=case, event="reply")
    assert (first.status, first.attempts) == (NotificationStatus.QUEUED, 1)
    # when another mail goes out 59 s later: the failed one waits
    clock.freeze(start + timedelta(seconds=59))
    lifecycle.case_reply(case=case, actor=agent, body="Second.")
    first.refresh_from_db()
    assert (first.status, first.attempts) == (NotificationStatus.QUEUED, 1)
    # when a mail goes out after the minute, the drain takes the failed one too; put off again
    clock.freeze(start + timedelta(seconds=61))
    sink.refuse("DATA", "451 4.3.0 Try again later")
    lifecycle.case_reply(case=case, actor=agent, body="Third.")
    first.refresh_from_db()
    assert (first.status, first.attempts) == (NotificationStatus.QUEUED, 2)
    assert first.next_attempt_at == start + timedelta(seconds=61 + 120)
    # then the second wait is two minutes
    clock.freeze(start + timedelta(seconds=61 + 119))
    assert notifications_retry_stuck() == 0
    clock.freeze(start + timedelta(seconds=61 + 121))
    assert notifications_retry_stuck() == 1
    first.refresh_from_db()
    assert (first.status, first.attempts) == (NotificationStatus.SENT, 3)
    assert [m["Message-ID"] for m in sink.to("mary@example.com")].count(first.message_id) == 1


def test_a_mail_whose_worker_died_after_sending_is_left_to_the_lease(sink, case, agent):
    # given the acknowledgement handed to the relay by a worker that died before recording it
    ack = Notification.objects.get(case=case, event="received")
    Notification.objects.filter(pk=ack.pk).update(status=NotificationStatus.SENDING)
    # when the drain runs for another mail
    lifecycle.case_reply(case=case, actor=agent, body="On it.")
    # then it sends that one and leaves the acknowledgement alone: sent once, still "sending"
    assert Notification.objects.get(case=case, event="reply").status == NotificationStatus.SENT
    ack.refresh_from_db()
    assert ack.status == NotificationStatus.SENDING and ack.attempts == 1
    assert [m["Message-ID"] for m in sink.to("mary@example.com")].count(ack.message_id) == 1


@queue_backed
def test_resend_queues_a_failed_mail_due_at_once(sink, case, task_queue):
    # given a reply that failed for good three hours ago
    (failed,) = _replies(case, ["x@example.com"])
    Notification.objects.filter(pk=failed.pk).update(
        status=NotificationStatus.FAILED, attempts=8, next_attempt_at=clock.now() - timedelta(hours=3)
    )
    DBTaskResult.objects.all().delete()
    # when an admin asks to try again
    services.notification_resend(notification_id=failed.pk)
    # then a drain run waits, and sends it
    _worker_run()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == (NotificationStatus.SENT, 1, "")
    assert len(sink.to("x@example.com")) == 1
