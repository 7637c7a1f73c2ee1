from django.tasks import task

# Batches per run: a long backlog (a burst of mail) yields the worker to other tasks between runs.
DRAIN_BATCHES_PER_RUN = 10


@task()
def suggestions_drain_task() -> None:
    # Imported here: intake imports this module for drain_kick, and should not load
    # scikit-learn for it.
    from amends.insight.suggest.services import suggestions_compute_pending

    suggestions_compute_pending(max_batches=DRAIN_BATCHES_PER_RUN)


@task()
def suggester_train_task() -> None:
    from amends.insight.suggest.services import suggester_train

    suggester_train()
