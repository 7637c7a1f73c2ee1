from django.db.models import QuerySet

from amends.customers.models import Customer
from amends.notify.models import Notification, NotificationStatus, OutboxEmail


def outbox_list(*, limit: int = 100) -> QuerySet[OutboxEmail]:
    return OutboxEmail.objects.all()[:limit]


def customer_was_emailed(*, case_id: int, event: str) -> bool:
    """True if a mail for this event went, or is on its way, to the customer."""
    return (
        Notification.objects.filter(case_id=case_id, event=event, recipient__isnull=True)
        .exclude(status__in=[NotificationStatus.SKIPPED, NotificationStatus.FAILED])
        .exists()
    )


def notification_list_for_case(*, case_id: int) -> QuerySet[Notification]:
    """What the customer was sent about a case (staff reminders and escalations left out)."""
    return Notification.objects.filter(case_id=case_id, recipient__isnull=True)


def customer_preferences_get(*, customer_id: int) -> Customer:
    """The customer whose notification settings (language, channel) the portal shows."""
    return Customer.objects.get(pk=customer_id)
