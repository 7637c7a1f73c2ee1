from django.tasks import task

from amends.notify.services import notification_send


@task()
def send_notification_task(*, notification_id: int) -> None:
    notification_send(notification_id=notification_id)
