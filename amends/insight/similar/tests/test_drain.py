"""Fingerprints are computed off the request: intake writes a pending row and kicks the drain;
the drain computes in batches and is safe to run twice; similar_rebuild backfills."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from amends.core import clock
from amends.insight.similar import minhash, services
from amends.insight.similar.models import Fingerprint, FingerprintBand
from amends.insight.similar.selectors import State, similar_cases, similar_panel
from amends.insight.similar.tests.texts import NEAR_DUPLICATES

pytestmark = pytest.mark.django_db

DRAIN = "amends.insight.similar.tasks.fingerprints_drain_task"
# Tests where a drain is kicked more than once: each step commits, as in production. drain_kick
# looks at the queue once per transaction, so one test transaction would hide later kicks.
queue_backed = pytest.mark.django_db(transaction=True)


@pytest.fixture
def task_queue(settings):
    """Tasks wait in the database for the worker, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _waiting_drains() -> int:
    return DBTaskResult.objects.filter(task_path=DRAIN, status="READY").count()


def _open_pair(make_case, lang="en"):
    first, second = NEAR_DUPLICATES[lang][0]
    return (
        make_case(body=first, email="ann@example.com", language=lang),
        make_case(body=second, email="ben@example.com", language=lang),
    )


def test_opening_a_case_leaves_a_pending_fingerprint_and_one_drain(task_queue, make_case):
    # when two cases open, with the worker not running
    a, b = _open_pair(make_case)
    # then each has a pending fingerprint, one drain run waits, and the page says "pending"
    assert Fingerprint.objects.filter(computed_at__isnull=True).count() == 2
    assert _waiting_drains() == 1
    assert similar_panel(b).state == State.PENDING
    # when the drain runs
    assert services.fingerprints_compute_pending() == 2
    # then both are computed, with their bands and the case's customer and time copied
    fp = Fingerprint.objects.get(case_id=b.pk)
    assert fp.computed_at and fp.scheme == minhash.SCHEME and len(bytes(fp.signature)) == minhash.NUM_PERM * 4
    bands = FingerprintBand.objects.filter(fingerprint_id=b.pk)
    assert bands.count() == minhash.BANDS
    assert {(x.customer_id, x.created_at) for x in bands} == {(b.customer_id, b.created_at)}
    assert [s.case.pk for s in similar_cases(b)] == [a.pk]


def test_the_drain_is_idempotent(task_queue, make_case):
    _open_pair(make_case)
    services.fingerprints_compute_pending()
    before = sorted(FingerprintBand.objects.values_list("fingerprint_id", "band", "key"))
    # a second run (a duplicate task) finds nothing to do and changes nothing
    assert services.fingerprints_compute_pending() == 0
    assert sorted(FingerprintBand.objects.values_list("fingerprint_id", "band", "key")) == before


@queue_backed
def test_a_long_backlog_is_drained_in_batches_that_queue_the_next_run(task_queue, make_case, settings):
    # given five pending fingerprints and batches of two
    settings.AMENDS_SIMILAR_BATCH = 2
    for i in range(5):
        make_case(body=NEAR_DUPLICATES["he"][i % 2][0], email=f"c{i}@example.com", language="he")
    DBTaskResult.objects.all().delete()
    # when a run may do one batch
    assert services.fingerprints_compute_pending(max_batches=1) == 2
    # then it queued its next run, which takes the rest
    assert _waiting_drains() == 1
    assert services.fingerprints_compute_pending() == 3
    assert not Fingerprint.objects.filter(computed_at__isnull=True).exists()


def test_a_text_that_breaks_the_signature_does_not_stop_the_drain(task_queue, make_case, monkeypatch):
    a, b = _open_pair(make_case)
    real = minhash.signature

    def flaky(text):
        if "fridge" in text and "delivered" in text:
            raise ValueError("a bug")
        return real(text)

    monkeypatch.setattr(minhash, "signature", flaky)
    assert services.fingerprints_compute_pending() == 2
    # the broken one is done without a signature, the other one computed
    assert Fingerprint.objects.get(case_id=b.pk).signature is None
    assert Fingerprint.objects.get(case_id=a.pk).signature is not None
    assert similar_panel(b).state == State.TOO_SHORT


@queue_backed
def test_the_periodic_job_kicks_the_drain_for_forgotten_rows(task_queue, make_case):
    # given a pending fingerprint whose drain run was lost
    make_case()
    DBTaskResult.objects.all().delete()
    # then within a minute nothing is queued; after it, one run
    assert services.fingerprints_retry_pending() == 0 and _waiting_drains() == 0
    clock.freeze(clock.now() + timedelta(minutes=2))
    assert services.fingerprints_retry_pending() == 1 and _waiting_drains() == 1


def test_under_the_test_backend_the_drain_runs_at_intake(make_case):
    # (the immediate backend runs every kick inline, as the rest of the suite relies on)
    a, b = _open_pair(make_case, lang="ar")
    assert not Fingerprint.objects.filter(computed_at__isnull=True).exists()
    assert [s.case.pk for s in similar_cases(b)] == [a.pk]


def test_rebuild_backfills_cases_without_fingerprints(make_case, capsys):
    # given cases from before the feature (no fingerprints) and one of an older scheme
    a, b = _open_pair(make_case, lang="ru")
    c = make_case(body=NEAR_DUPLICATES["ru"][1][0], email="carl@example.com", language="ru")
    Fingerprint.objects.filter(case_id__in=[a.pk, b.pk]).delete()
    Fingerprint.objects.filter(case_id=c.pk).update(scheme=minhash.SCHEME - 1)
    assert similar_panel(b).state == State.UNKNOWN
    # when the command runs in batches of two
    call_command("similar_rebuild", "--batch", "2")
    # then every case has a current fingerprint, and it said how far it got
    assert Fingerprint.objects.filter(scheme=minhash.SCHEME, computed_at__isnull=False).count() == 3
    assert [s.case.pk for s in similar_cases(b)] == [a.pk]
    out = capsys.readouterr().out
    assert "2/3 cases" in out and "3/3 cases" in out and "Computed 3 fingerprints" in out
    # and run again it computes nothing, unless told to redo all
    call_command("similar_rebuild")
    assert "Computed 0 fingerprints" in capsys.readouterr().out
    call_command("similar_rebuild", "--all")
    assert "Computed 3 fingerprints" in capsys.readouterr().out


def test_forgetting_drops_what_came_from_the_words(make_case):
    a, b = _open_pair(make_case)
    assert services.fingerprints_forget(case_ids=[a.pk]) == 1
    assert similar_cases(b) == []
    assert not FingerprintBand.objects.filter(fingerprint_id=a.pk).exists()
    assert similar_panel(a).state == State.TOO_SHORT
