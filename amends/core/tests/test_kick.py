"""drain_kick: one waiting run of a drain task, however many rows a transaction queues."""

import pytest
from django.db import transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from amends.core.kick import drain_kick
from amends.mail.tasks import inbound_drain_task

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue(settings):
    """The real queue backend instead of the tests' inline one."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def waiting() -> int:
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=inbound_drain_task.module_path
    ).count()


def test_one_run_per_transaction_and_none_while_one_waits(queue):
    with transaction.atomic():
        assert drain_kick(inbound_drain_task) is True
        assert drain_kick(inbound_drain_task) is False  # remembered: no second look at the queue
    assert waiting() == 1
    with transaction.atomic():
        assert drain_kick(inbound_drain_task) is False  # one is waiting already
    assert waiting() == 1


def _failed_batch() -> None:
    with transaction.atomic():
        assert drain_kick(inbound_drain_task) is True
        raise RuntimeError("the batch failed")


def test_a_rolled_back_kick_is_forgotten(queue):
    with transaction.atomic():
        with pytest.raises(RuntimeError):
            _failed_batch()
        assert waiting() == 0  # its task row went with the savepoint ...
        assert drain_kick(inbound_drain_task) is True  # ... and so did the mark
    assert waiting() == 1


def test_outside_a_transaction_each_kick_looks(queue, django_assert_num_queries):
    assert drain_kick(inbound_drain_task) is True
    with django_assert_num_queries(1):
        assert drain_kick(inbound_drain_task) is False
