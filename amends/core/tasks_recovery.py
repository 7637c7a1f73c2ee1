"""Lease for background tasks: a task running longer than the lease is presumed orphaned."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from amends.core import clock


@transaction.atomic
def tasks_requeue_stale(*, lease_seconds: int | None = None) -> int:
    """Put tasks 'running' for longer than the lease back to 'ready'. Tasks are idempotent."""
    lease = timedelta(
        seconds=lease_seconds if lease_seconds is not None else settings.AMENDS_TASK_LEASE_SECONDS
    )
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=clock.now() - lease
    ).update(status=TaskResultStatus.READY, started_at=None)


class TaskHeartbeat:
    """Keeps a long task's lease: `beat()` moves its `started_at` forward at most every
    `every_seconds`, so `tasks_requeue_stale` does not hand a task that is still working to a
    second worker. Call it from the task's own progress loop; the task must be declared with
    `@task(takes_context=True)`. Outside the database backend (tests run tasks inline) there is
    no row and a beat changes nothing."""

    def __init__(self, context, *, every_seconds: float = 30.0) -> None:
        self.result_id = str(context.task_result.id) if context is not None else None
        self.every = timedelta(seconds=every_seconds)
        self.last = clock.now()

    def beat(self) -> bool:
        now = clock.now()
        if self.result_id is None or now - self.last < self.every:
            return False
        self.last = now
        return bool(
            DBTaskResult.objects.filter(pk=self.result_id, status=TaskResultStatus.RUNNING).update(
                started_at=now
            )
        )
