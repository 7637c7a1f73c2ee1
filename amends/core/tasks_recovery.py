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
