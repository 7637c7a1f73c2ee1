from django.tasks import task

from amends.sla.services.escalations import escalation_digests_send


@task()
def escalation_digests_task(*, escalation_ids: list[int]) -> None:
    escalation_digests_send(escalation_ids=escalation_ids)
