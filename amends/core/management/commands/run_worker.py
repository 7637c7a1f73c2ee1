"""The task worker: django-tasks-db's worker plus Amends' periodic jobs.

django-tasks-db leaves a task 'RUNNING' forever if its worker is killed (open upstream
issue) and does not retry failed tasks, so a sweeper thread runs the jobs listed in
settings.AMENDS_PERIODIC_JOBS (re-queue orphaned tasks, retry stuck notifications, …)
at start and every AMENDS_PERIODIC_SECONDS.
"""

import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def run_periodic_jobs() -> None:
    for path in settings.AMENDS_PERIODIC_JOBS:
        try:
            count = import_string(path)()
            if count:
                logger.info("%s: %s", path.rsplit(".", 1)[-1], count)
        except Exception:  # one failing job must not stop the others or the worker
            logger.exception("periodic job %s failed", path)
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = "Run the background task worker and Amends' periodic jobs."

    def handle(self, *args, **options):
        stop = threading.Event()
        run_periodic_jobs()

        def sweep():
            while not stop.wait(settings.AMENDS_PERIODIC_SECONDS):
                run_periodic_jobs()

        threading.Thread(target=sweep, name="amends-periodic", daemon=True).start()
        try:
            call_command("db_worker", "--no-reload", interval=0.5)
        finally:
            stop.set()
