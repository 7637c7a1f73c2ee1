"""record_event: the single way to write an audit row, inside the caller's transaction."""

from typing import Any

from django.db import models

from amends.core import clock
from amends.core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def record_event(**kwargs: Any) -> AuditEvent:
    """Write one audit row now; takes audit_event's arguments."""
    event = audit_event(**kwargs)
    event.save(force_insert=True)
    return event


def audit_event(
    *,
    name: str,
    target: models.Model,
    actor: Any = None,
    actor_label: str = "",
    changes: dict[str, tuple[Any, Any]] | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """The audit row, unsaved: record_event saves one, bulk intake inserts a batch."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = actor_label or (getattr(user, "full_name", "") or getattr(user, "username", "")) or "system"
    return AuditEvent(
        name=name,
        target_type=target._meta.model_name,
        target_id=target.pk,
        actor=user,
        actor_label=label,
        changes={k: [_jsonable(b), _jsonable(a)] for k, (b, a) in (changes or {}).items()},
        data=data or {},
        created_at=clock.now(),
    )
