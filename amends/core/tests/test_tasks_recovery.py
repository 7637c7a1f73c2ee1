from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from amends.core import clock
from amends.core.tasks_recovery import TaskHeartbeat, tasks_requeue_stale

pytestmark = pytest.mark.django_db


def _task(status, started_minutes_ago):
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"notification_id": 1}},
        priority=0,
        task_path="amends.notify.tasks.send_notification_task",
        queue_name="default",
        backend_name="default",
        status=status,
        started_at=clock.now() - timedelta(minutes=started_minutes_ago),
    )


def test_tasks_left_running_by_a_dead_worker_run_again():
    stale = _task(TaskResultStatus.RUNNING, 30)
    fresh = _task(TaskResultStatus.RUNNING, 1)
    done = _task(TaskResultStatus.SUCCESSFUL, 30)
    assert tasks_requeue_stale(lease_seconds=300) == 1
    stale.refresh_from_db(), fresh.refresh_from_db(), done.refresh_from_db()
    assert stale.status == TaskResultStatus.READY and stale.started_at is None
    assert fresh.status == TaskResultStatus.RUNNING
    assert done.status == TaskResultStatus.SUCCESSFUL


def test_a_task_that_beats_keeps_its_lease_past_the_lease_time():
    # given: a long export started four minutes ago, beating every 30 s
    long = _task(TaskResultStatus.RUNNING, 4)
    heartbeat = TaskHeartbeat(SimpleNamespace(task_result=SimpleNamespace(id=long.pk)), every_seconds=30)
    clock.freeze(clock.now())
    assert heartbeat.beat() is False  # too soon: no write
    # when: two minutes later (six after it started) it beats
    clock.freeze(clock.now() + timedelta(minutes=2))
    assert heartbeat.beat() is True
    # then: a five-minute lease does not take it back
    assert tasks_requeue_stale(lease_seconds=300) == 0
    long.refresh_from_db()
    assert long.status == TaskResultStatus.RUNNING


def test_a_beat_does_not_revive_a_task_already_taken_back():
    lost = _task(TaskResultStatus.RUNNING, 30)
    heartbeat = TaskHeartbeat(SimpleNamespace(task_result=SimpleNamespace(id=lost.pk)), every_seconds=0)
    tasks_requeue_stale(lease_seconds=300)
    assert heartbeat.beat() is False
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.READY


def test_sqlite_statistics_job_runs_once_a_day():
    from django.db import connection

    from amends.core import maintenance

    maintenance._last_analyze = 0.0
    expected = 1 if connection.vendor == "sqlite" else 0
    assert maintenance.sqlite_analyze() == expected
    assert maintenance.sqlite_analyze() == 0  # not again within the day
