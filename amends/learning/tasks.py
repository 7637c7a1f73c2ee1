from django.tasks import task

# Batches per run of the screening drain: a backlog yields the worker to other tasks between
# runs.
SCREENING_BATCHES_PER_RUN = 10


@task()
def screening_drain_task() -> None:
    from amends.learning.services.screening import screening_run

    screening_run(max_batches=SCREENING_BATCHES_PER_RUN)


@task()
def incident_fixed_notices_task(*, incident_id: int) -> None:
    from amends.learning.services.incidents import incident_fixed_notices_send

    incident_fixed_notices_send(incident_id=incident_id)
