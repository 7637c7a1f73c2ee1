"""Reads for problems and incidents, and who may see them.

Leads and administrators see every problem and incident and may change them. An agent sees,
read-only, the problems linked to cases they may see (cases_visible_to), so the lessons
learned reach everyone who handles such a case; incidents are for leads (agents see the ones
on their cases on the case page). Anything out of sight is a 404, as for cases.
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from amends.cases.models import Case, RootCause
from amends.cases.selectors import (
    QueueFilters,
    case_get_for_agent,
    case_rows_for_queue,
    case_search,
    cases_visible_to,
)
from amends.cases.services.references import reference_normalise
from amends.core.models import AuditEvent
from amends.insight.similar.selectors import similar_cases
from amends.learning.models import (
    CorrectiveAction,
    Incident,
    IncidentCase,
    Problem,
    ProblemCase,
    ProblemStatus,
)


def can_edit_learning(user: Any) -> bool:
    """Leads and administrators create and change problems, actions and incidents."""
    return bool(user and user.is_authenticated and user.is_active and user.is_lead)


def root_cause_list_active() -> QuerySet[RootCause]:
    return RootCause.objects.filter(is_active=True).order_by("position", "code")


def root_cause_list() -> QuerySet[RootCause]:
    return RootCause.objects.order_by("position", "code")


@dataclass(frozen=True)
class ProblemFilters:
    status: str = ""
    owner: str = ""  # a user id, or "none"
    root_cause: str = ""  # a root-cause code, or "none"


def problems_visible_to(user: Any) -> QuerySet[Problem]:
    """Every problem for leads; for an agent, those linked to a case they may see."""
    qs = Problem.objects.select_related("owner", "root_cause")
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if user.is_lead:
        return qs
    seen = ProblemCase.objects.filter(
        problem_id=OuterRef("pk"), case_id__in=cases_visible_to(user).order_by().values("pk")
    )
    return qs.filter(Exists(seen))


def problem_list(*, user: Any, filters: ProblemFilters) -> QuerySet[Problem]:
    """Problems `user` may see, newest first, each with its linked cases and recurrences
    counted (one query)."""
    qs = problems_visible_to(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif filters.owner.isdigit():
        qs = qs.filter(owner_id=int(filters.owner))
    if filters.root_cause == "none":
        qs = qs.filter(root_cause__isnull=True)
    elif filters.root_cause:
        qs = qs.filter(root_cause__code=filters.root_cause)
    return qs.annotate(
        case_count=Count("links", distinct=True),
        recurrence_count=Count("links", filter=Q(links__recurrence=True), distinct=True),
        open_actions=Count("actions", filter=~Q(actions__status="done"), distinct=True),
    ).order_by("-created_at", "-id")


def problem_get_for(*, user: Any, public_id: UUID | str) -> Problem:
    """One problem `user` may see; anything else → 404."""
    try:
        return problems_visible_to(user).get(public_id=public_id)
    except (Problem.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def problem_links(*, problem: Problem, user: Any) -> list[ProblemCase]:
    """The problem's linked cases that `user` may see, newest link first (one query)."""
    visible = cases_visible_to(user).order_by().values("pk")
    return list(
        problem.links.filter(case_id__in=visible)
        .select_related("case", "case__owner", "case__root_cause", "linked_by")
        .order_by("-linked_at", "-id")
    )


def problem_actions(*, problem: Problem) -> list[CorrectiveAction]:
    return list(problem.actions.select_related("owner").order_by("created_at", "id"))


def action_get(*, problem: Problem, public_id: UUID | str) -> CorrectiveAction:
    try:
        return problem.actions.select_related("owner").get(public_id=public_id)
    except (CorrectiveAction.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class RecurrenceStats:
    """How often fixed problems came back.

    ``rate`` = cases linked as recurrences / every case linked to those problems, over the
    problems ever marked fixed. A recurrence is a case that arrived after its problem was
    marked fixed (matched on arrival, or linked by hand later). 0 means the fixes held; the
    denominator counts the cases before the fix too, so one recurrence after a hundred
    complaints reads 1 %, not 100 %.
    """

    problems_fixed: int
    problems_recurred: int
    cases_linked: int
    recurrences: int

    @property
    def rate(self) -> float | None:
        return self.recurrences / self.cases_linked if self.cases_linked else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(self.rate * 100)


def recurrence_stats(*, problems: QuerySet[Problem] | None = None) -> RecurrenceStats:
    """RecurrenceStats over `problems` (default: all) that were ever marked fixed (one query)."""
    qs = (problems if problems is not None else Problem.objects.all()).filter(fixed_at__isnull=False)
    per_problem = qs.annotate(
        linked=Count("links", distinct=True),
        recurred=Count("links", filter=Q(links__recurrence=True), distinct=True),
    ).values_list("linked", "recurred")
    rows = list(per_problem)
    return RecurrenceStats(
        problems_fixed=len(rows),
        problems_recurred=sum(1 for _linked, recurred in rows if recurred),
        cases_linked=sum(linked for linked, _recurred in rows),
        recurrences=sum(recurred for _linked, recurred in rows),
    )


@dataclass(frozen=True)
class CaseLearning:
    """What the case page shows about problems and incidents for one case."""

    problem_links: list[ProblemCase]
    incident_links: list[IncidentCase]


def case_learning(*, case: Any) -> CaseLearning:
    """The problems and incidents linked to a case the viewer already may see (two queries).
    An agent may read every problem on a case they can open, so no further filter."""
    problems = list(
        ProblemCase.objects.filter(case_id=case.pk)
        .select_related("problem", "problem__owner")
        .order_by("-linked_at", "-id")
    )
    incidents = list(
        IncidentCase.objects.filter(case_id=case.pk).select_related("incident").order_by("-linked_at", "-id")
    )
    return CaseLearning(problem_links=problems, incident_links=incidents)


@dataclass(frozen=True)
class IncidentFilters:
    status: str = ""


def incident_list(*, filters: IncidentFilters) -> QuerySet[Incident]:
    """Incidents, newest first, with their affected cases counted (one query). Leads only:
    the view checks."""
    qs = Incident.objects.select_related("owner")
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.annotate(case_count=Count("links")).order_by("-started_at", "-id")


def incident_get(*, public_id: UUID | str) -> Incident:
    try:
        return Incident.objects.select_related("owner").get(public_id=public_id)
    except (Incident.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class IncidentCounts:
    cases: int
    customers: int
    acknowledged: int
    told_fixed: int


def incident_counts(*, incident: Incident) -> IncidentCounts:
    row = incident.links.aggregate(
        cases=Count("pk"),
        customers=Count("case__customer_id", distinct=True),
        acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        told_fixed=Count("pk", filter=Q(fixed_notice_at__isnull=False)),
    )
    return IncidentCounts(**row)


def incident_links(*, incident: Incident, limit: int = 200) -> list[IncidentCase]:
    """The newest `limit` affected cases, with what the page shows of each (one query)."""
    return list(
        incident.links.select_related("case", "case__customer", "case__owner", "linked_by").order_by(
            "-linked_at", "-id"
        )[:limit]
    )


def problem_statuses() -> list[tuple[str, str]]:
    return list(ProblemStatus.choices)


# -- which cases to link --------------------------------------------------------------------

# Similar cases offered with a case for a new problem.
SIMILAR_GROUP = 20
# Similar cases linked to an incident at once (the similarity lookup re-ranks 100 candidates).
INCIDENT_SIMILAR = 100


def case_by_reference_for(*, user: Any, reference: str) -> Case | None:
    """The case with this reference, if `user` may see it."""
    wanted = reference_normalise(reference or "")
    return next((c for c in case_search(user=user, text=wanted, limit=2) if c.reference == wanted), None)


def cases_for_new_problem(*, user: Any, public_ids: list[str], similar: int = 0) -> list[Case]:
    """The cases a new problem starts from: those asked for that `user` may see (unknown or
    hidden ids → 404), and the `similar` (at most SIMILAR_GROUP) other customers' cases most
    like the first one that `user` may see, as the case page's similar panel shows them."""
    cases = [case_get_for_agent(user=user, public_id=pid) for pid in dict.fromkeys(public_ids)]
    if similar > 0 and cases:
        cases += [s.case for s in similar_cases(cases[0], limit=min(similar, SIMILAR_GROUP), user=user)]
    return list({c.pk: c for c in cases}.values())


@dataclass(frozen=True)
class Candidates:
    """The cases a bulk link would add: their ids (at most `limit` + 1, to tell "too many"),
    how many there are, and a few to show."""

    ids: list[int]
    count: int
    sample: list[Case]
    anchor: Case | None = None  # the chosen case, for "similar to"


def incident_candidates(*, user: Any, incident: Incident, data: dict, limit: int) -> Candidates:
    """Cases `user` may see, for BulkLinkForm's cleaned `data`: by queue filter
    (case_rows_for_queue, optionally only those received since the incident started), by the
    desk search (case_search), or like a chosen case (similar_cases)."""
    mode = data["mode"]
    if mode == "filter":
        filters = QueueFilters(
            status=data.get("status") or "",
            language=data.get("language") or "",
            category=data.get("category") or "",
            priority=data.get("priority") or "",
        )
        qs = case_rows_for_queue(user=user, queue=data.get("queue") or "open", filters=filters)
        if data.get("since_start"):
            qs = qs.filter(created_at__gte=incident.started_at)
        ids = list(qs.values_list("pk", flat=True)[: limit + 1])
        count = len(ids) if len(ids) <= limit else qs.count()
        return Candidates(ids=ids, count=count, sample=list(qs[:10]))
    if mode == "search":
        found = list(case_search(user=user, text=data.get("q") or ""))
        return Candidates(ids=[c.pk for c in found], count=len(found), sample=found[:10])
    anchor = case_by_reference_for(user=user, reference=data.get("reference") or "")
    if anchor is None:
        return Candidates(ids=[], count=0, sample=[])
    found = [anchor, *(s.case for s in similar_cases(anchor, limit=INCIDENT_SIMILAR, user=user))]
    return Candidates(ids=[c.pk for c in found], count=len(found), sample=found[:10], anchor=anchor)


def history_for(*, target: Problem | Incident, limit: int = 50) -> list[AuditEvent]:
    """The newest audit events of a problem or an incident (one query)."""
    return list(
        AuditEvent.objects.filter(target_type=target._meta.model_name, target_id=target.pk)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
