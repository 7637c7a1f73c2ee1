from django.tasks import task

from amends.notify.services import notification_send, notifications_send_due

# Batches per run: a long backlog leaves the worker to other tasks between runs.
DRAIN_BATCHES_PER_RUN = 10


@task()
def notifications_drain_task() -> None:
    notifications_send_due(max_batches=DRAIN_BATCHES_PER_RUN)


@task()
def send_notification_task(*, notification_id: int) -> None:
    """One notification: tasks queued this way before the drain still run after an upgrade."""
    notification_send(notification_id=notification_id)
