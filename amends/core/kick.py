"""Drain tasks: one queued task stands for "there is work of this kind", not one per item.

Inbound mail and outbound notifications arrive by the thousand; a task per item costs the
worker a claim each (django-tasks-db sorts the ready queue per claim), which was most of the
time per mail. Instead the producer commits its row and, in the same transaction, makes sure
one run of the drain task is waiting; the drain takes every pending row in batches.

The race this leaves: a row committed just after a running drain's last empty batch, while
another run was still counted as waiting, is found by the periodic job that re-kicks old
pending rows (docs/subsystems/tasks.md, "Drain tasks"). Django's own on-commit hooks of the
connection (``run_on_commit``) remember, per transaction, that the kick was done.
"""

import time

from django.db import transaction
from django.tasks import Task, TaskResultStatus, task_backends


def _queue_backed(task: Task) -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends[task.backend], DatabaseBackend)


def _waiting(task: Task) -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=task.module_path).exists()


class _Kicked:
    """A no-op on_commit hook that marks "this transaction already made sure a run of `path`
    is waiting". Django drops a transaction's hooks when it (or the savepoint that added
    them) rolls back, and runs them at commit: the mark lives exactly as long as it is true."""

    def __init__(self, path: str):
        self.path = path

    def __call__(self) -> None:
        pass


def drain_kick(task: Task) -> bool:
    """Queue one run of `task` (a drain without arguments) unless one is already waiting.
    Call it inside the transaction that commits the work. Returns whether it queued one.

    Within one transaction only the first call looks at the queue: a batch that queues fifty
    notifications asks once, not fifty times.
    """
    if not _queue_backed(task):
        task.enqueue()  # tests run tasks inline: every kick runs the drain
        return True
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        if any(
            isinstance(hook, _Kicked) and hook.path == task.module_path
            for _s, hook, _r in connection.run_on_commit
        ):
            return False
        transaction.on_commit(_Kicked(task.module_path))
    if _waiting(task):
        return False
    task.enqueue()
    return True


def drain_kick_for_waiting(pending, task: Task) -> int:
    """The periodic half of a drain: rows in `pending` (a queryset of rows that have waited
    longer than a drain run takes) have no run coming — a worker died, or they committed just
    after a run's last look — so queue one. Returns how many wait."""
    waiting = pending.count()
    if waiting:
        with transaction.atomic():
            drain_kick(task)
    return waiting


def drain_in_batches(
    pending,
    *,
    columns: tuple[str, ...],
    batch: int,
    compute,
    task: Task,
    run_seconds: float,
    max_batches: int | None = None,
) -> int:
    """The loop of a drain task: claim up to `batch` rows of `pending` (a queryset of waiting
    rows, ordered by its partial index) with SKIP LOCKED, hand their `columns` to `compute`
    (which returns how many it did) in the same transaction, and repeat until none are left.
    After `max_batches` or `run_seconds` it queues its own next run (well inside the task
    lease) and returns the count."""
    began = time.monotonic()
    done = batches = 0
    flat = len(columns) == 1
    while True:
        with transaction.atomic():
            claimed = list(
                pending.select_for_update(skip_locked=True).values_list(*columns, flat=flat)[:batch]
            )
            if not claimed:
                return done
            done += compute(claimed)
        batches += 1
        if len(claimed) < batch:
            return done
        if (max_batches is not None and batches >= max_batches) or time.monotonic() - began > run_seconds:
            with transaction.atomic():
                drain_kick(task)
            return done
