"""Reads for cases, and the access funnels every interface must use.

Who sees what (R-PR-1, docs/subsystems/cases.md): `cases_visible_to(user)` is the one place
the staff rule lives; every staff read below starts from it.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404

from amends.cases.choices import OPEN_STATUSES, MessageKind
from amends.cases.models import Attachment, Case, Category, Message
from amends.cases.services.references import reference_normalise
from amends.core.models import AuditEvent
from amends.customers.models import CustomerIdentity, IdentityKind
from amends.customers.services import normalise_email, normalise_phone

QUEUES = ("mine", "unassigned", "open", "all")
SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "due": (F("next_due_at").asc(nulls_last=True), "id"),
    "updated": ("-updated_at", "-id"),
}


def _case_base() -> QuerySet[Case]:
    return Case.objects.select_related("customer", "owner", "category", "team")


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """The cases a staff user may see and act on (R-PR-1).

    Leads, admins and staff with `sees_all_teams`: every case. Agents: cases of their teams,
    cases they own, and cases with no team yet (so that anyone can triage them). Anyone else
    (anonymous, inactive): none.
    """
    qs = _case_base()
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if user.sees_every_case:
        return qs
    # A subquery, not a list: no extra query on every page that reads cases.
    team_ids = user.teams.values("id")
    return qs.filter(Q(team_id__in=team_ids) | Q(team__isnull=True) | Q(owner_id=user.pk))


def case_get_for_agent(*, user: Any, public_id: UUID | str) -> Case:
    """The only way staff interfaces fetch one case. Unknown or out of scope → 404 (a 403 would
    tell that the case exists)."""
    try:
        return cases_visible_to(user).get(public_id=public_id)
    except (Case.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def case_get_for_api(*, user: Any, public_id: UUID | str) -> Case | None:
    try:
        return case_get_for_agent(user=user, public_id=public_id)
    except Http404:
        return None


def case_get_by_public_id(*, public_id: UUID | str) -> Case | None:
    """For the public 'thank you' page: the unguessable id is the capability."""
    try:
        return Case.objects.only("reference", "first_response_due", "language", "public_id").get(
            public_id=public_id
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        return None


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    language: str = ""
    category: str = ""
    priority: str = ""
    sort: str = "newest"


def case_list_for_queue(*, user: Any, queue: str, filters: QueueFilters) -> QuerySet[Case]:
    qs = cases_visible_to(user)
    if queue == "mine":
        qs = qs.filter(owner=user, status__in=OPEN_STATUSES)
    elif queue == "unassigned":
        team_ids = list(user.teams.values_list("id", flat=True))
        qs = qs.filter(owner__isnull=True, status__in=OPEN_STATUSES).filter(
            Q(team__isnull=True) | Q(team_id__in=team_ids)
        )
    elif queue == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    return qs.order_by(*SORTS.get(filters.sort, SORTS["newest"]))


_REFERENCE_RE = re.compile(r"^\s*#?\s*AM[\s-]?[0-9A-Z]{6}\s*$", re.IGNORECASE)
_PHONE_RE = re.compile(r"^\s*\+?[\d\s().\-/]{6,}\s*$")


# What a queue row shows (desk/_case_row.html). Loading only these skips ~45 columns per row
# (the owner's password hash among them) and the unused team join.
_QUEUE_ROW_FIELDS = (
    "public_id",
    "reference",
    "status",
    "priority",
    "language",
    "created_at",
    "first_response_due",
    "first_responded_at",
    "next_due_at",
    "customer__full_name",
    "owner__full_name",
    "category__code",
    "category__name_en",
    "category__name_he",
    "category__name_ar",
    "category__name_ru",
)


def case_rows_for_queue(*, user: Any, queue: str, filters: QueueFilters) -> QuerySet[Case]:
    """case_list_for_queue with just the columns the desk's queue table shows."""
    qs = case_list_for_queue(user=user, queue=queue, filters=filters)
    return qs.select_related(None).select_related("customer", "owner", "category").only(*_QUEUE_ROW_FIELDS)


def case_search(*, user: Any, text: str, limit: int = 50) -> QuerySet[Case]:
    """Find cases by reference, customer email, phone or name."""
    text = text.strip()
    qs = cases_visible_to(user).order_by("-created_at", "-id")
    if not text:
        return qs.none()
    if _REFERENCE_RE.match(text):
        return qs.filter(reference=reference_normalise(text))[:limit]
    if "@" in text:
        ids = CustomerIdentity.objects.filter(kind=IdentityKind.EMAIL, value=normalise_email(text)).values(
            "customer_id"
        )
        return qs.filter(customer_id__in=ids)[:limit]
    if _PHONE_RE.match(text):
        ids = CustomerIdentity.objects.filter(kind=IdentityKind.PHONE, value=normalise_phone(text)).values(
            "customer_id"
        )
        return qs.filter(customer_id__in=ids)[:limit]
    return qs.filter(customer__full_name__icontains=text)[:limit]


def case_messages(*, case: Case, include_notes: bool) -> QuerySet[Message]:
    qs = case.messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    if not include_notes:
        qs = qs.exclude(kind=MessageKind.NOTE)
    return qs.order_by("created_at", "id")


def case_events(*, case: Case) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(target_type="case", target_id=case.pk)
        .select_related("actor")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "message" or "event"
    item: Any


def case_timeline(*, case: Case, escalations: list | None = None) -> list[TimelineEntry]:
    """Messages, audit events and escalations (rows of amends.sla, passed in by the caller
    that already loaded them) in one list, oldest first: the whole story in one place."""
    entries = [
        TimelineEntry(m.created_at, "message", m) for m in case_messages(case=case, include_notes=True)
    ]
    entries += [TimelineEntry(e.created_at, "event", e) for e in case_events(case=case)]
    entries += [TimelineEntry(e.created_at, "escalation", e) for e in escalations or ()]
    entries.sort(key=lambda e: (e.at, 1 if e.kind == "message" else 0))
    return entries


def customer_case_history(*, user: Any, case: Case, limit: int = 20) -> QuerySet[Case]:
    """The same customer's other cases across every channel (R-IN-7) that `user` may see."""
    return (
        cases_visible_to(user)
        .filter(customer_id=case.customer_id)
        .exclude(pk=case.pk)
        .select_related("owner", "category")
        .order_by("-created_at", "-id")[:limit]
    )


def attachment_get_for_agent(*, user: Any, public_id: UUID | str) -> Attachment:
    """A file on a case `user` may see (cases_visible_to); anything else → 404."""
    try:
        return Attachment.objects.select_related("message__case").get(
            public_id=public_id,
            message__case__in=cases_visible_to(user).values("pk"),
            removed_at__isnull=True,  # its file was deleted (retention): nothing to download
        )
    except (Attachment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def case_public_messages(*, case: Case) -> QuerySet[Message]:
    return case_messages(case=case, include_notes=False)


def category_list_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("position", "code")


# The customer portal's funnels. A customer reaches a case only through their own customer id
# (and, for a case-bound link, the case ids granted to the session); anything else is a 404
# that reads the same as a case that does not exist.


def case_list_for_customer(*, customer_id: int, case_ids: list[str] | None = None) -> QuerySet[Case]:
    """The customer's cases, newest first; `case_ids` (public ids) narrows them to those granted."""
    qs = Case.objects.filter(customer_id=customer_id).select_related("owner")
    if case_ids is not None:
        qs = qs.filter(public_id__in=case_ids)
    return qs.order_by("-created_at", "-id")


def case_get_for_customer(
    *, customer_id: int, public_id: UUID | str, case_ids: list[str] | None = None
) -> Case:
    """One of the customer's cases; another customer's case or an unknown id → 404."""
    try:
        return (
            case_list_for_customer(customer_id=customer_id, case_ids=case_ids)
            .select_related("customer")
            .get(public_id=public_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def attachment_get_for_customer(
    *, customer_id: int, public_id: UUID | str, case_ids: list[str] | None = None
) -> Attachment:
    """An attachment on a message the customer may see (never on an internal note) of one of
    their cases; anything else → 404."""
    qs = Attachment.objects.filter(message__case__customer_id=customer_id, removed_at__isnull=True).exclude(
        message__kind=MessageKind.NOTE
    )
    if case_ids is not None:
        qs = qs.filter(message__case__public_id__in=case_ids)
    try:
        return qs.get(public_id=public_id)
    except (Attachment.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc
