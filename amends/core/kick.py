"""Drain tasks: one queued task stands for "there is work of this kind", not one per item.

Inbound mail and outbound notifications arrive by the thousand; a task per item costs the
worker a claim each (django-tasks-db sorts the ready queue per claim), which was most of the
time per mail. Instead the producer commits its row and, in the same transaction, makes sure
one run of the drain task is waiting; the drain takes every pending row in batches.

The race this leaves: a row committed just after a running drain's last empty batch, while
another run was still counted as waiting, is found by the periodic job that re-kicks old
pending rows (docs/subsystems/tasks.md, "Drain tasks").
"""

from django.tasks import Task, TaskResultStatus, task_backends


def _waiting(task: Task) -> bool:
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task_backends[task.backend], DatabaseBackend):
        return False  # tests run tasks inline: every kick runs the drain
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=task.module_path).exists()


def drain_kick(task: Task) -> bool:
    """Queue one run of `task` (a drain without arguments) unless one is already waiting.
    Call it inside the transaction that commits the work. Returns whether it queued one."""
    if _waiting(task):
        return False
    task.enqueue()
    return True
