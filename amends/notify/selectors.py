from django.db.models import QuerySet

from amends.notify.models import Notification, OutboxEmail


def outbox_list(*, limit: int = 100) -> QuerySet[OutboxEmail]:
    return OutboxEmail.objects.all()[:limit]


def notification_list_for_case(*, case_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(case_id=case_id)
