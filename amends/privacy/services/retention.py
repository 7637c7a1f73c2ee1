"""The retention job: attachment files are deleted AMENDS_ATTACHMENT_RETENTION_MONTHS after
their case was closed (off by default). The row stays, with `removed_at`, so the case still
lists the file as "removed under the retention policy" instead of a link that fails."""

import calendar
import logging
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction

from amends.cases.choices import Status
from amends.cases.models import Attachment
from amends.core import clock

logger = logging.getLogger(__name__)

# Rows per transaction: short locks, and a backlog (the first run after turning it on) is
# worked through by the next sweeps rather than in one long transaction.
RETENTION_BATCH = 500
RETENTION_BATCHES_PER_RUN = 20


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's
    last day)."""
    year, month0 = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return moment.replace(year=year, month=month0 + 1, day=day)


def attachments_remove_expired() -> int:
    """Periodic job: delete the files of attachments on cases closed longer ago than the
    retention period; returns how many. Does nothing while the setting is empty.

    Safe to run in several workers at once: each batch claims its rows with SKIP LOCKED
    (PostgreSQL) or a write lock (SQLite), and a row already marked is never taken again.
    """
    months = settings.AMENDS_ATTACHMENT_RETENTION_MONTHS
    if not months:
        return 0
    cutoff = months_before(clock.now(), months)
    removed = 0
    for _batch in range(RETENTION_BATCHES_PER_RUN):
        done = _remove_batch(cutoff)
        removed += done
        if done < RETENTION_BATCH:
            break
    if removed:
        logger.info("Retention: removed %d attachment file(s) of cases closed before %s", removed, cutoff)
    return removed


@transaction.atomic
def _remove_batch(cutoff: datetime) -> int:
    due = Attachment.objects.filter(
        removed_at__isnull=True,
        message__case__status=Status.CLOSED,
        message__case__closed_at__lte=cutoff,
    ).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    rows = list(due.values_list("pk", "file")[:RETENTION_BATCH])
    if not rows:
        return 0
    Attachment.objects.filter(pk__in=[pk for pk, _name in rows]).update(removed_at=clock.now(), file="")
    files_delete_on_commit([name for _pk, name in rows if name])
    return len(rows)


def files_delete_on_commit(names: list[str]) -> None:
    """Delete stored attachment files once the transaction that let go of them commits (a
    rollback keeps them, still referenced). A file already gone is not an error: a repeated
    run, or another worker, may have deleted it."""
    if not names:
        return
    storage = Attachment._meta.get_field("file").storage

    def delete() -> None:
        for name in names:
            try:
                storage.delete(name)
            except OSError:
                logger.exception("Could not delete the attachment file %s", name)

    transaction.on_commit(delete, robust=True)
