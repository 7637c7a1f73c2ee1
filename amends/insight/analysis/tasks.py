from django.tasks import task

DRAIN_BATCHES_PER_RUN = 20


@task()
def analysis_drain_task() -> None:
    # Imported here: intake imports this module to kick the drain, and should not load lingua.
    from amends.insight.analysis.services import messages_analyse_pending

    messages_analyse_pending(max_batches=DRAIN_BATCHES_PER_RUN)
