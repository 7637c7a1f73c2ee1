"""Problems (R-LE-3): create one from a case or a group of similar cases, link and unlink
cases, change it, and its corrective actions. Every change is an audit event: on the problem,
and on each case linked or unlinked.

Only leads and administrators change problems (`PermissionDenied` otherwise); the recurrence
links the screening drain makes have no actor.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from amends.cases.models import Case, RootCause
from amends.core import clock
from amends.core.audit import audit_event, record_event
from amends.core.db import bulk_create_fast
from amends.core.errors import DomainError, PermissionDenied
from amends.core.models import AuditEvent
from amends.learning import events
from amends.learning.models import (
    ActionStatus,
    CorrectiveAction,
    LinkHow,
    Problem,
    ProblemCase,
    ProblemStatus,
)
from amends.learning.selectors import can_edit_learning

UNCHANGED: Any = object()  # problem_update / action_update: "leave this field as it is"
TITLE_MAX = 200


def require_editor(actor: Any) -> None:
    if not can_edit_learning(actor):
        raise PermissionDenied(_("Only team leads and administrators can change problems and incidents."))


def _title(title: str, *, field: str = "title", max_length: int = TITLE_MAX) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("Give it a short title."), code="title_required", field=field)
    if len(title) > max_length:
        raise DomainError(
            _("The title is too long: at most %(max)d characters.") % {"max": max_length},
            code="title_too_long",
            field=field,
        )
    return title


def _name(user: Any) -> str | None:
    return getattr(user, "full_name", None) or (str(user) if user else None)


def _lock(problem: Problem) -> Problem:
    # Nothing joined: PostgreSQL cannot lock the nullable side of an outer join, and a joined
    # row would be read from before the wait (docs/subsystems/cases.md, locking).
    return Problem.objects.select_for_update().get(pk=problem.pk)


@transaction.atomic
def problem_create(
    *,
    actor: Any,
    title: str,
    description: str = "",
    root_cause: RootCause | None = None,
    owner: Any = None,
    cases: Iterable[Case] = (),
    how: str = LinkHow.BY_HAND,
) -> Problem:
    """A new open problem, with `cases` linked (from a case, or a group of similar cases)."""
    require_editor(actor)
    now = clock.now()
    problem = Problem.objects.create(
        title=_title(title),
        description=description.strip(),
        root_cause=root_cause,
        owner=owner,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    record_event(
        name=events.PROBLEM_CREATED,
        target=problem,
        actor=actor,
        data={"title": problem.title, "owner": _name(owner), "root_cause": _name(root_cause)},
    )
    cases = list(cases)
    if cases:
        _link(problem=problem, cases=cases, actor=actor, how=how)
    return problem


@transaction.atomic
def problem_update(
    *,
    problem: Problem,
    actor: Any,
    title: str | object = UNCHANGED,
    description: str | object = UNCHANGED,
    root_cause: RootCause | object | None = UNCHANGED,
    owner: Any = UNCHANGED,
    status: str | object = UNCHANGED,
    lessons_learned: str | object = UNCHANGED,
) -> Problem:
    """Change what is given. Marking it fixed stamps `fixed_at` (cases after it are
    recurrences); opening it again clears it; closing keeps it."""
    require_editor(actor)
    problem = _lock(problem)
    if status is not UNCHANGED and status not in ProblemStatus.values:
        raise DomainError(_("Unknown status."), code="bad_status", field="status")
    wanted: dict[str, Any] = {
        "title": _title(title) if title is not UNCHANGED else UNCHANGED,  # type: ignore[arg-type]
        "description": description.strip() if isinstance(description, str) else description,
        "root_cause": root_cause,
        "owner": owner,
        "status": status,
        "lessons_learned": lessons_learned.strip() if isinstance(lessons_learned, str) else lessons_learned,
    }
    changes: dict[str, tuple[Any, Any]] = {}
    for field, value in wanted.items():
        if value is UNCHANGED:
            continue
        current = getattr(problem, field)
        if current != value:
            changes[field] = (current, value)
            setattr(problem, field, value)
    now = clock.now()
    fields = list(changes)
    data: dict[str, Any] = {}
    if "status" in changes:
        if problem.status == ProblemStatus.FIXED:
            problem.fixed_at = now
            data["fixed_at"] = now.isoformat()
            fields.append("fixed_at")
        elif problem.status == ProblemStatus.OPEN and problem.fixed_at is not None:
            problem.fixed_at = None
            fields.append("fixed_at")
    if changes:
        problem.updated_at = now
        problem.save(update_fields=[*fields, "updated_at"])
        for field in ("description", "lessons_learned"):  # long text: its start is enough
            if field in changes:
                changes[field] = tuple(_excerpt(text) for text in changes[field])  # type: ignore[assignment]
        record_event(name=events.PROBLEM_UPDATED, target=problem, actor=actor, changes=changes, data=data)
    return problem


def _excerpt(text: str, limit: int = 300) -> str | None:
    text = " ".join((text or "").split())
    return (text[: limit - 1] + "…" if len(text) > limit else text) or None


@transaction.atomic
def problem_cases_link(
    *, problem: Problem, cases: Iterable[Case], actor: Any, how: str = LinkHow.BY_HAND
) -> list[ProblemCase]:
    """Link cases to the problem (those already linked are left as they are); returns the new
    links. A case that arrived after the problem was marked fixed is linked as a recurrence."""
    require_editor(actor)
    problem = _lock(problem)
    return _link(problem=problem, cases=list(cases), actor=actor, how=how)


def _link(
    *,
    problem: Problem,
    cases: list[Case],
    actor: Any,
    how: str,
    similarity: float | None = None,
) -> list[ProblemCase]:
    now = clock.now()
    ids = {c.pk for c in cases}
    taken = set(
        ProblemCase.objects.filter(problem=problem, case_id__in=ids).values_list("case_id", flat=True)
    )
    new_cases = sorted((c for c in cases if c.pk not in taken), key=lambda c: c.pk)
    new_cases = list({c.pk: c for c in new_cases}.values())
    if not new_cases:
        return []
    links = [
        ProblemCase(
            problem=problem,
            case=case,
            linked_by=actor if getattr(actor, "is_authenticated", False) else None,
            linked_at=now,
            how=how,
            recurrence=problem.fixed_at is not None and case.created_at > problem.fixed_at,
            similarity=similarity,
        )
        for case in new_cases
    ]
    bulk_create_fast(ProblemCase, links)
    data = {"problem": str(problem.public_id), "title": problem.title}
    rows = [
        audit_event(
            name=events.PROBLEM_LINKED,
            target=link.case,
            actor=actor,
            data={**data, "recurrence": link.recurrence, "how": how},
        )
        for link in links
    ]
    rows.append(
        audit_event(
            name=events.PROBLEM_LINKED,
            target=problem,
            actor=actor,
            data={
                "cases": [c.reference for c in new_cases][:100],
                "count": len(new_cases),
                "recurrences": sum(link.recurrence for link in links),
                "how": how,
            },
        )
    )
    bulk_create_fast(AuditEvent, rows)
    problem.updated_at = now
    problem.save(update_fields=["updated_at"])
    return links


def case_link_delete(*, owner, key: str, links, case: Case, actor: Any, event: str) -> bool:
    """Delete the link rows `links` between a locked problem or incident (`owner`, named `key`
    in the events) and a case, and record the unlinking on both sides; returns whether any was."""
    deleted, _rows = links.delete()
    if not deleted:
        return False
    data = {key: str(owner.public_id), "title": owner.title}
    record_event(name=event, target=case, actor=actor, data=data)
    record_event(name=event, target=owner, actor=actor, data={"cases": [case.reference]})
    return True


@transaction.atomic
def problem_case_unlink(*, problem: Problem, case: Case, actor: Any) -> bool:
    """Take a case off the problem; returns whether it was linked."""
    require_editor(actor)
    problem = _lock(problem)
    links = ProblemCase.objects.filter(problem=problem, case=case)
    return case_link_delete(
        owner=problem, key="problem", links=links, case=case, actor=actor, event=events.PROBLEM_UNLINKED
    )


def problem_recurrence_link(*, problem: Problem, case: Case, similarity: float) -> ProblemCase | None:
    """The screening drain found `case` like the cases of a fixed problem: link it as a
    recurrence (no actor) and tell the problem's owner. In the caller's transaction."""
    from amends.notify.services import staff_notify

    problem = _lock(problem)
    if (
        problem.status != ProblemStatus.FIXED
        or problem.fixed_at is None
        or case.created_at <= problem.fixed_at
    ):
        return None
    links = _link(
        problem=problem, cases=[case], actor=None, how=LinkHow.MATCHED_SIMILAR, similarity=similarity
    )
    if not links:
        return None
    if problem.owner is not None and problem.owner.is_active:
        staff_notify(
            user=problem.owner,
            event="recurrence",
            case=case,
            context={
                "problem_title": problem.title,
                "problem_public_id": problem.public_id,
                "fixed_at": problem.fixed_at,
                "percent": round(similarity * 100),
            },
        )
    return links[0]


# -- corrective actions -------------------------------------------------------------------


def _action_lock(action: CorrectiveAction) -> CorrectiveAction:
    return CorrectiveAction.objects.select_for_update().get(pk=action.pk)


@transaction.atomic
def action_add(
    *, problem: Problem, actor: Any, title: str, owner: Any = None, due_date: date | None = None
) -> CorrectiveAction:
    """A planned corrective action on the problem."""
    require_editor(actor)
    now = clock.now()
    action = CorrectiveAction.objects.create(
        problem=problem,
        title=_title(title, max_length=300),
        owner=owner,
        due_date=due_date,
        created_at=now,
        updated_at=now,
    )
    record_event(
        name=events.ACTION_ADDED,
        target=problem,
        actor=actor,
        data={
            "action": str(action.public_id),
            "title": action.title,
            "owner": _name(owner),
            "due_date": due_date.isoformat() if due_date else None,
        },
    )
    Problem.objects.filter(pk=problem.pk).update(updated_at=now)
    return action


@transaction.atomic
def action_update(
    *,
    action: CorrectiveAction,
    actor: Any,
    title: str | object = UNCHANGED,
    owner: Any = UNCHANGED,
    due_date: date | object | None = UNCHANGED,
    status: str | object = UNCHANGED,
) -> CorrectiveAction:
    """Change a corrective action; done stamps `done_at`, anything else clears it."""
    require_editor(actor)
    action = _action_lock(action)
    if status is not UNCHANGED and status not in ActionStatus.values:
        raise DomainError(_("Unknown status."), code="bad_status", field="status")
    wanted = {
        "title": _title(title, max_length=300) if title is not UNCHANGED else UNCHANGED,  # type: ignore[arg-type]
        "owner": owner,
        "due_date": due_date,
        "status": status,
    }
    changes: dict[str, tuple[Any, Any]] = {}
    for field, value in wanted.items():
        if value is UNCHANGED:
            continue
        current = getattr(action, field)
        if current != value:
            changes[field] = (current, value)
            setattr(action, field, value)
    if not changes:
        return action
    now = clock.now()
    fields = list(changes)
    if "status" in changes:
        action.done_at = now if action.status == ActionStatus.DONE else None
        fields.append("done_at")
    action.updated_at = now
    action.save(update_fields=[*fields, "updated_at"])
    record_event(
        name=events.ACTION_UPDATED,
        target=action.problem,
        actor=actor,
        changes=changes,
        data={"action": str(action.public_id), "title": action.title},
    )
    Problem.objects.filter(pk=action.problem_id).update(updated_at=now)
    return action
