from django.tasks import task

# Batches per run: a long backlog yields to the acknowledgements it queued, then goes on.
DRAIN_BATCHES_PER_RUN = 20


@task()
def inbound_drain_task() -> None:
    # Imported here: storing a mail (mailgate, a process per mail) imports this module for
    # drain_kick and should not load the whole processing stack.
    from amends.mail.services import inbound_process_pending

    inbound_process_pending(max_batches=DRAIN_BATCHES_PER_RUN)
