from django.tasks import task

from amends.mail.services import inbound_process


@task()
def inbound_process_task(*, mail_id: int) -> None:
    inbound_process(mail_id=mail_id)
