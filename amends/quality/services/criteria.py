"""The scorecard's built-in criteria (the listening checklist), for the data migration and for
tests on a flushed database."""

from typing import Any

from amends.quality.models import BUILT_IN


def criteria_seed(model: Any = None) -> int:
    """Create the built-in criteria that are missing, in checklist order; returns how many.
    `model` is the migration's historical Criterion (default: the real one)."""
    if model is None:
        from amends.quality.models import Criterion as model
    made = 0
    for position, (code, (label, hint)) in enumerate(BUILT_IN.items(), start=1):
        _row, created = model.objects.get_or_create(
            code=code, defaults={"label": label, "hint": hint, "position": position * 10}
        )
        made += created
    return made
