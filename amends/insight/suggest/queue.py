"""Queue new cases for a category suggestion. Its own small module: intake calls it inside its
transaction and must not import the suggester's stack (scikit-learn, the lifecycle)."""

from collections.abc import Iterable

from amends.cases.models import Case
from amends.core.kick import drain_kick
from amends.insight.suggest.models import Suggestion


def suggestions_queue(cases: Iterable[Case]) -> None:
    """A pending suggestion for each new case and one waiting run of the drain, in the caller's
    transaction (both commit with the cases or not at all)."""
    rows = [Suggestion(case_id=c.pk, created_at=c.created_at) for c in cases]
    if not rows:
        return
    Suggestion.objects.bulk_create(rows, ignore_conflicts=True)
    from amends.insight.suggest.tasks import suggestions_drain_task

    drain_kick(suggestions_drain_task)
