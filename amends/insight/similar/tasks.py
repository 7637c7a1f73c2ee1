from django.tasks import task

# Batches per run: a long backlog (after a rebuild was skipped, or a burst of mail) yields the
# worker to other tasks between runs.
DRAIN_BATCHES_PER_RUN = 10


@task()
def fingerprints_drain_task() -> None:
    # Imported here: intake imports this module for drain_kick, and should not load the
    # services' dependencies for it.
    from amends.insight.similar.services import fingerprints_compute_pending

    fingerprints_compute_pending(max_batches=DRAIN_BATCHES_PER_RUN)
