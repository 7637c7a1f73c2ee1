"""Writing fingerprints: queued at intake, computed by a drain, rebuilt by a command.

The flow (docs/subsystems/similar.md): `cases_open` calls `fingerprints_queue`, which writes a
pending Fingerprint per new case in the intake's transaction and kicks the drain
(docs/subsystems/tasks.md, "Drain tasks"); the worker's drain computes pending fingerprints
in batches. Nothing here runs inside a web request except that one INSERT and the kick.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Substr

from amends.cases.choices import MessageKind
from amends.cases.models import Case, Message
from amends.core import clock
from amends.core.db import bulk_insert, bulk_update_by_pk
from amends.core.kick import drain_in_batches, drain_kick, drain_kick_for_waiting
from amends.insight.similar import minhash
from amends.insight.similar.models import Fingerprint, FingerprintBand

log = logging.getLogger(__name__)

# A drain run stops starting batches after this long and queues its next run (the task lease
# is 300 s; docs/subsystems/tasks.md).
RUN_SECONDS = 60
# Pending fingerprints older than this mean no drain run is coming for them.
RETRY_AFTER = timedelta(minutes=1)
# Text read per case: the subject and the first customer message, cut in the database so a
# 1 MB message is not fetched whole (text.MAX_CHARS is the cap on what is analysed).
_TEXT_CHARS = 20_000


def fingerprints_queue(cases: Iterable[Case]) -> None:
    """Intake's one call: a pending fingerprint for each new case, and one waiting run of the
    drain. In the caller's transaction, so both commit with the cases or not at all."""
    rows = [Fingerprint(case_id=c.pk, customer_id=c.customer_id, created_at=c.created_at) for c in cases]
    if not rows:
        return
    Fingerprint.objects.bulk_create(rows, ignore_conflicts=True)
    from amends.insight.similar.tasks import fingerprints_drain_task

    drain_kick(fingerprints_drain_task)


def fingerprints_compute_pending(*, max_batches: int | None = None) -> int:
    """The drain: compute every pending fingerprint, oldest first, AMENDS_SIMILAR_BATCH per
    transaction; returns how many. Rows another worker holds are skipped. After `max_batches`
    (or RUN_SECONDS) it queues its own next run and returns."""
    from amends.insight.similar.tasks import fingerprints_drain_task

    return drain_in_batches(
        Fingerprint.objects.filter(computed_at__isnull=True).order_by(
            "created_at"
        ),  # index similar_fp_pending
        columns=("case_id", "created_at", "customer_id"),
        batch=settings.AMENDS_SIMILAR_BATCH,
        compute=_compute,
        task=fingerprints_drain_task,
        run_seconds=RUN_SECONDS,
        max_batches=max_batches,
    )


def fingerprints_retry_pending() -> int:
    """Periodic job: pending fingerprints older than RETRY_AFTER have no drain run coming (a
    worker died, or they committed just after a run's last look): queue one. Returns how many
    are waiting."""
    from amends.insight.similar.tasks import fingerprints_drain_task

    pending = Fingerprint.objects.filter(computed_at__isnull=True, created_at__lt=clock.now() - RETRY_AFTER)
    return drain_kick_for_waiting(pending, fingerprints_drain_task)


def fingerprints_rebuild(
    *, everything: bool = False, batch: int = 1000, progress: Callable[[int, int], None] | None = None
) -> int:
    """Backfill: a fingerprint for every case that has none, and a new one for every case whose
    fingerprint is pending or of an older minhash.SCHEME (or, with `everything`, for all).
    Cases in id order, `batch` per transaction; `progress(cases_seen, cases_total)` after each.
    Safe next to a running drain: each batch locks the rows it recomputes. Returns how many
    fingerprints it computed."""
    total = Case.objects.count()
    seen = computed = 0
    after = 0
    while True:
        cases = list(
            Case.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "customer_id", "created_at")[:batch]
        )
        if not cases:
            return computed
        after = cases[-1][0]
        ids = [pk for pk, _c, _t in cases]
        with transaction.atomic():
            Fingerprint.objects.bulk_create(
                [
                    Fingerprint(case_id=pk, customer_id=customer_id, created_at=at)
                    for pk, customer_id, at in cases
                ],
                ignore_conflicts=True,
            )
            stale = Fingerprint.objects.filter(case_id__in=ids)
            if not everything:
                stale = stale.filter(Q(computed_at__isnull=True) | ~Q(scheme=minhash.SCHEME))
            claimed = list(
                stale.select_for_update(skip_locked=True).values_list("case_id", "created_at", "customer_id")
            )
            computed += _compute(claimed)
        seen += len(cases)
        if progress:
            progress(seen, total)


def _compute(claimed: list[tuple[int, datetime, int]]) -> int:
    """Signatures and bands for these claimed fingerprints (case id, created_at, customer id),
    in the caller's transaction."""
    if not claimed:
        return 0
    case_ids = [case_id for case_id, _at, _customer in claimed]
    texts = _texts(case_ids)
    now = clock.now()
    rows, bands = [], []
    for case_id, created_at, customer_id in claimed:
        sig = None
        try:
            sig = minhash.signature(texts.get(case_id, ""))
        except Exception:  # a fingerprint is an aid: a text that breaks it must not stop the drain
            log.exception("similar: no fingerprint for case %s", case_id)
        rows.append(Fingerprint(case_id=case_id, signature=sig, scheme=minhash.SCHEME, computed_at=now))
        if sig is not None:
            bands += [
                (case_id, band, key, created_at, customer_id)
                for band, key in enumerate(minhash.band_keys(sig))
            ]
    bulk_update_by_pk(Fingerprint, rows, ["signature", "scheme", "computed_at"])
    FingerprintBand.objects.filter(fingerprint_id__in=case_ids).delete()
    bulk_insert(FingerprintBand, ["fingerprint", "band", "key", "created_at", "customer_id"], bands)
    return len(rows)


def _texts(case_ids: list[int]) -> dict[int, str]:
    """Subject and first customer message of each case, each cut to _TEXT_CHARS."""
    first_inbound = (
        Message.objects.filter(case_id=OuterRef("pk"), kind=MessageKind.INBOUND)
        .order_by("created_at", "id")
        .annotate(head=Substr("body", 1, _TEXT_CHARS))
        .values("head")[:1]
    )
    rows = (
        Case.objects.filter(pk__in=case_ids)
        .annotate(first_body=Subquery(first_inbound))
        .values_list("pk", "subject", "first_body")
    )
    return {pk: f"{subject}\n{body or ''}" for pk, subject, body in rows}


def fingerprints_forget(*, case_ids: list[int]) -> int:
    """Drop what was derived from these cases' words (after the customer's erasure): the
    signature and bands go, and the cases are never again offered as similar. The fingerprint
    row stays, computed, so neither the drain nor similar_rebuild computes it again unless
    run with --all (which reads the erased text, too short to compare). Returns the rows."""
    FingerprintBand.objects.filter(fingerprint_id__in=case_ids).delete()
    return Fingerprint.objects.filter(case_id__in=case_ids).update(
        signature=None, scheme=minhash.SCHEME, computed_at=clock.now()
    )
