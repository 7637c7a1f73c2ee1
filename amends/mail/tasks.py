from django.tasks import task

from amends.mail.services import inbound_process_pending

# Batches per run: a long backlog yields to the acknowledgements it queued, then goes on.
DRAIN_BATCHES_PER_RUN = 20


@task()
def inbound_drain_task() -> None:
    inbound_process_pending(max_batches=DRAIN_BATCHES_PER_RUN)
