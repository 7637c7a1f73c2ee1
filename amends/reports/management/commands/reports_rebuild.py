"""Recompute the dashboard's rollups from the raw tables (after an upgrade, a bulk import, or a
change to a figure's definition)."""

import time

from django.core.management.base import BaseCommand

from amends.reports.services.rollups import REBUILD_CHUNK, rollups_rebuild


class Command(BaseCommand):
    help = "Recompute every dashboard rollup and every case's report facts from the raw tables."

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=REBUILD_CHUNK, help="cases read per round")

    def handle(self, *args, chunk: int, **options):
        started = time.perf_counter()
        verbosity = options.get("verbosity", 1)

        def progress(done: int) -> None:
            if verbosity > 1:
                self.stderr.write(f"  {done} cases")

        count = rollups_rebuild(chunk=chunk, progress=progress)
        self.stdout.write(f"rollups rebuilt from {count} cases in {time.perf_counter() - started:.1f} s")
