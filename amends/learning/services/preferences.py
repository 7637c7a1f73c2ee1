"""The customer's choice about mail on service interruptions (the portal's Settings)."""

from django.db import transaction

from amends.customers.models import Customer


@transaction.atomic
def customer_incident_notices_set(*, customer_id: int, wanted: bool) -> None:
    """Whether the customer hears about service interruptions: the acknowledgement of a
    complaint about a known incident and the notice when it is fixed."""
    Customer.objects.filter(pk=customer_id).update(notify_incidents=bool(wanted))
