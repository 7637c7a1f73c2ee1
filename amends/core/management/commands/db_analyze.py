from django.core.management.base import BaseCommand

from amends.core.maintenance import sqlite_analyze


class Command(BaseCommand):
    help = "Refresh the embedded SQLite database's planner statistics (no-op on PostgreSQL)."

    def handle(self, *args, **options):
        sqlite_analyze(force=True)
