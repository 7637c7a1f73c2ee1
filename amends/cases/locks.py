"""Row locks for cases. PostgreSQL takes a real row lock; SQLite serialises writers already
(transactions open IMMEDIATE), so the same code is safe on both."""

from amends.cases.models import Case


def case_lock(*, case_id: int) -> Case:
    # No join to the owner: after waiting for the lock, PostgreSQL re-reads the locked row
    # but not joined rows, so a joined owner would be the stale (empty) one and the loser of
    # a concurrent claim could not be told who won. The owner loads lazily, after the lock.
    return Case.objects.select_for_update(of=("self",)).select_related("customer").get(pk=case_id)
