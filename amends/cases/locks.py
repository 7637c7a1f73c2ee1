"""Row locks for cases. PostgreSQL takes a real row lock; SQLite serialises writers already
(transactions open IMMEDIATE), so the same code is safe on both."""

from amends.cases.models import Case


def case_lock(*, case_id: int) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("customer", "owner").get(pk=case_id)
