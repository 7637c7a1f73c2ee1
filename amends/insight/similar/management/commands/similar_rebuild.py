"""Backfill the fingerprints of similar complaints (docs/subsystems/similar.md)."""

import time

from django.core.management.base import BaseCommand

from amends.insight.similar.services import fingerprints_rebuild


class Command(BaseCommand):
    help = (
        "Compute the similar-complaints fingerprint of every case that has none, is still pending "
        "or was computed by an older version (--all: of every case). Safe to run while the worker "
        "runs, and to stop and run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", dest="everything", help="Recompute every case.")
        parser.add_argument("--batch", type=int, default=1000, help="Cases per transaction (default 1000).")

    def handle(self, *args, everything: bool, batch: int, **options):
        began = time.monotonic()

        def progress(seen: int, total: int) -> None:
            elapsed = time.monotonic() - began
            self.stdout.write(f"{seen:,}/{total:,} cases ({elapsed:.0f} s)")

        computed = fingerprints_rebuild(everything=everything, batch=max(1, batch), progress=progress)
        self.stdout.write(f"Computed {computed:,} fingerprints in {time.monotonic() - began:.1f} s.")
