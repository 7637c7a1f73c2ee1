"""The task worker: re-queues tasks orphaned by a dead worker, then runs django-tasks-db's
worker. django-tasks-db leaves a task 'RUNNING' forever if its worker is killed (open
upstream issue), so every start and every lease period gives such tasks back to the queue."""

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from amends.core.tasks_recovery import tasks_requeue_stale


class Command(BaseCommand):
    help = "Run the background task worker (with recovery of tasks left running by a dead worker)."

    def handle(self, *args, **options):
        count = tasks_requeue_stale()
        if count:
            self.stdout.write(f"re-queued {count} task(s) left running by a stopped worker")
        stop = threading.Event()

        def sweep():
            while not stop.wait(settings.AMENDS_TASK_LEASE_SECONDS / 2):
                tasks_requeue_stale()

        threading.Thread(target=sweep, name="task-lease-sweeper", daemon=True).start()
        try:
            call_command("db_worker", "--no-reload", interval=0.5)
        finally:
            stop.set()
