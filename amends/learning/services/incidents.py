"""Incidents (R-LE-4): declare a service interruption, link the cases it caused (one by one or
by the thousand), acknowledge new complaints about it, and tell every affected customer once
when it is fixed.

Bulk work is bulk: links, audit events and notifications go in one INSERT per chunk, and the
fixed notices are queued by a task off the request (`incident_fixed_notices_send`), a chunk of
customers per transaction, one mail per customer whatever the number of their linked cases.
"""

import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.cases.choices import Channel, MessageKind
from amends.cases.models import Case, Message
from amends.core import clock
from amends.core.audit import audit_event, record_event
from amends.core.db import bulk_create_fast
from amends.core.errors import DomainError
from amends.core.models import AuditEvent
from amends.learning import events
from amends.learning.models import (
    ACTIVE_INCIDENT_STATUSES,
    Incident,
    IncidentCase,
    IncidentStatus,
    LinkHow,
)
from amends.learning.services.problems import UNCHANGED, _excerpt, _title, case_link_delete, require_editor

# Cases one bulk link may add: a filter wider than this is a mistake, not an incident.
BULK_LINK_MAX = 20_000
# Cases per INSERT when linking in bulk.
LINK_CHUNK = 1_000
# Customers per transaction when queuing the fixed notices.
NOTICE_CHUNK = 500
RUN_SECONDS = 60  # a notices run starts no chunk after this and queues its next run
PUBLIC_TEXT_FIELDS = ("public_text_en", "public_text_he", "public_text_ar", "public_text_ru")


def _lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _check_channel(channel: str) -> str:
    if channel and channel not in Channel.values:
        raise DomainError(_("Unknown channel."), code="bad_channel", field="channel")
    return channel


@transaction.atomic
def incident_declare(
    *,
    actor: Any,
    title: str,
    started_at: datetime | None = None,
    status: str = IncidentStatus.INVESTIGATING,
    owner: Any = None,
    product: str = "",
    channel: str = "",
    keywords: str = "",
    **public_texts: str,
) -> Incident:
    """A new incident. `public_text_<language>` keyword arguments hold what customers read
    (one is enough: it serves every language without its own)."""
    require_editor(actor)
    unknown = set(public_texts) - set(PUBLIC_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown arguments {sorted(unknown)}")
    if status not in ACTIVE_INCIDENT_STATUSES:
        raise DomainError(
            _("A new incident is being investigated or has been identified."),
            code="bad_status",
            field="status",
        )
    now = clock.now()
    if started_at is not None and started_at > now:
        raise DomainError(_("An incident cannot start in the future."), code="bad_start", field="started_at")
    incident = Incident.objects.create(
        title=_title(title),
        status=status,
        started_at=started_at or now,
        owner=owner,
        product=product.strip(),
        channel=_check_channel(channel),
        keywords=keywords.strip(),
        created_by=actor,
        created_at=now,
        updated_at=now,
        **{field: (public_texts.get(field) or "").strip() for field in PUBLIC_TEXT_FIELDS},
    )
    record_event(
        name=events.INCIDENT_DECLARED,
        target=incident,
        actor=actor,
        data={
            "title": incident.title,
            "status": incident.status,
            "started_at": incident.started_at.isoformat(),
        },
    )
    return incident


@transaction.atomic
def incident_update(
    *,
    incident: Incident,
    actor: Any,
    title: str | object = UNCHANGED,
    status: str | object = UNCHANGED,
    started_at: datetime | object = UNCHANGED,
    owner: Any = UNCHANGED,
    product: str | object = UNCHANGED,
    channel: str | object = UNCHANGED,
    keywords: str | object = UNCHANGED,
    **public_texts: str,
) -> Incident:
    """Change what is given. Marking it fixed stamps `fixed_at` and queues the notice to every
    affected customer (a task, after this commits); marking it active again clears `fixed_at`
    and what was told, so the next fix is told again."""
    require_editor(actor)
    unknown = set(public_texts) - set(PUBLIC_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown arguments {sorted(unknown)}")
    incident = _lock(incident)
    if status is not UNCHANGED and status not in IncidentStatus.values:
        raise DomainError(_("Unknown status."), code="bad_status", field="status")
    now = clock.now()
    if isinstance(started_at, datetime) and started_at > now:
        raise DomainError(_("An incident cannot start in the future."), code="bad_start", field="started_at")
    wanted: dict[str, Any] = {
        "title": _title(title) if title is not UNCHANGED else UNCHANGED,  # type: ignore[arg-type]
        "status": status,
        "started_at": started_at,
        "owner": owner,
        "product": product.strip() if isinstance(product, str) else product,
        "channel": _check_channel(channel) if isinstance(channel, str) else channel,
        "keywords": keywords.strip() if isinstance(keywords, str) else keywords,
        **{field: (text or "").strip() for field, text in public_texts.items()},
    }
    changes: dict[str, tuple[Any, Any]] = {}
    for field, value in wanted.items():
        if value is UNCHANGED:
            continue
        current = getattr(incident, field)
        if current != value:
            changes[field] = (current, value)
            setattr(incident, field, value)
    if not changes:
        return incident
    fields = list(changes)
    fixed_now = "status" in changes and incident.status == IncidentStatus.FIXED
    if fixed_now:
        incident.fixed_at = now
        fields.append("fixed_at")
    elif "status" in changes and changes["status"][0] == IncidentStatus.FIXED:
        incident.fixed_at = None
        fields.append("fixed_at")
        incident.links.update(fixed_notice_at=None)
    incident.updated_at = now
    incident.save(update_fields=[*fields, "updated_at"])
    for field in PUBLIC_TEXT_FIELDS:  # long text: its start is enough
        if field in changes:
            changes[field] = tuple(_excerpt(text) for text in changes[field])  # type: ignore[assignment]
    if "started_at" in changes:  # as people read it, not as an ISO string
        changes["started_at"] = tuple(  # type: ignore[assignment]
            timezone.localtime(at).strftime("%Y-%m-%d %H:%M") for at in changes["started_at"]
        )
    record_event(name=events.INCIDENT_UPDATED, target=incident, actor=actor, changes=changes)
    if fixed_now:
        from amends.learning.tasks import incident_fixed_notices_task

        incident_fixed_notices_task.enqueue(incident_id=incident.pk)
    return incident


# -- linking cases ------------------------------------------------------------------------


class TooManyCases(DomainError):
    code = "too_many_cases"


@transaction.atomic
def incident_cases_link(
    *, incident: Incident, case_ids: Iterable[int], actor: Any, how: str = LinkHow.BY_HAND
) -> int:
    """Link cases (by id) to the incident, in chunks; cases already linked are left as they
    are. Returns how many were linked. More than BULK_LINK_MAX at once is refused."""
    require_editor(actor)
    incident = _lock(incident)
    ids = sorted(set(case_ids))
    if len(ids) > BULK_LINK_MAX:
        raise TooManyCases(
            _("That is %(count)d cases; link at most %(max)d at once. Narrow the filter.")
            % {"count": len(ids), "max": BULK_LINK_MAX}
        )
    linked = 0
    for start in range(0, len(ids), LINK_CHUNK):
        linked += len(
            _link(incident=incident, case_ids=ids[start : start + LINK_CHUNK], actor=actor, how=how)
        )
    if linked:
        record_event(
            name=events.INCIDENT_LINKED, target=incident, actor=actor, data={"count": linked, "how": how}
        )
        incident.updated_at = clock.now()
        incident.save(update_fields=["updated_at"])
    return linked


def _link(*, incident: Incident, case_ids: list[int], actor: Any, how: str) -> list[IncidentCase]:
    """Link these cases (one chunk) in the caller's transaction: one query for those already
    linked, one INSERT for the links, one for their audit events."""
    taken = set(
        IncidentCase.objects.filter(incident=incident, case_id__in=case_ids).values_list("case_id", flat=True)
    )
    new_ids = [pk for pk in case_ids if pk not in taken]
    if not new_ids:
        return []
    now = clock.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    links = [
        IncidentCase(incident=incident, case_id=pk, linked_by=user, linked_at=now, how=how) for pk in new_ids
    ]
    bulk_create_fast(IncidentCase, links)
    data = {"incident": str(incident.public_id), "title": incident.title, "how": how}
    bulk_create_fast(
        AuditEvent,
        [
            audit_event(name=events.INCIDENT_LINKED, target=Case(pk=pk), actor=actor, data=data)
            for pk in new_ids
        ],
    )
    return links


@transaction.atomic
def incident_case_unlink(*, incident: Incident, case: Case, actor: Any) -> bool:
    """Take a case off the incident; returns whether it was linked."""
    require_editor(actor)
    incident = _lock(incident)
    links = IncidentCase.objects.filter(incident=incident, case=case)
    return case_link_delete(
        owner=incident, key="incident", links=links, case=case, actor=actor, event=events.INCIDENT_UNLINKED
    )


def incident_matched_link(*, incident: Incident, case: Case, how: str) -> IncidentCase | None:
    """The screening drain found a new complaint about an active incident: link it and, unless
    the customer opted out, acknowledge it with what is known ("we know about this
    interruption"). In the caller's transaction; the case's customer must be loaded."""
    from amends.notify.services import customer_notify

    links = _link(incident=incident, case_ids=[case.pk], actor=None, how=how)
    if not links:
        return None
    link = links[0]
    if case.customer.notify_incidents:
        customer_notify(case=case, event="incident_ack", context=_incident_context(incident, case.language))
        link.acknowledged_at = clock.now()
        link.save(update_fields=["acknowledged_at"])
        record_event(
            name=events.INCIDENT_ACKNOWLEDGED,
            target=case,
            actor_label="system",
            data={"incident": str(incident.public_id), "title": incident.title, "status": incident.status},
        )
    return link


def _incident_context(incident: Incident, language: str) -> dict[str, Any]:
    return {
        "incident": incident,
        "public_text": incident.public_text(language),
        "incident_status": incident.status,
    }


# -- telling customers it is fixed --------------------------------------------------------


def incident_fixed_notices_send(*, incident_id: int, chunk: int = NOTICE_CHUNK) -> int:
    """Tell every affected customer that the incident is fixed: one mail per customer (about
    their newest affected case, in its language, naming every affected case of theirs), none
    to a customer who opted out; an event on every case either way. Chunks of `chunk`
    customers, each in its own transaction with the incident locked, so two runs never tell
    anyone twice. Idempotent: links already dealt with are skipped. Returns the mails queued."""
    from amends.learning.tasks import incident_fixed_notices_task

    began = time.monotonic()
    queued = 0
    while True:
        with transaction.atomic():
            incident = Incident.objects.select_for_update().filter(pk=incident_id).first()
            if incident is None or incident.status != IncidentStatus.FIXED:
                return queued  # gone, or active again before this ran: nothing to tell
            done, mails = _notify_chunk(incident, chunk=chunk)
            if done == chunk and time.monotonic() - began > RUN_SECONDS:
                # Well inside the task lease: the rest goes in a run of its own.
                incident_fixed_notices_task.enqueue(incident_id=incident_id)
                return queued + mails
        queued += mails
        if done < chunk:
            return queued


def _notify_chunk(incident: Incident, *, chunk: int) -> tuple[int, int]:
    """One chunk of customers: (customers dealt with, mails queued). A constant number of
    queries whatever the chunk's size."""
    from amends.notify.services import customer_notify, notifications_queue

    untold = incident.links.filter(fixed_notice_at__isnull=True)
    customer_ids = list(
        untold.order_by("case__customer_id").values_list("case__customer_id", flat=True).distinct()[:chunk]
    )
    if not customer_ids:
        return 0, 0
    links = list(
        untold.filter(case__customer_id__in=customer_ids)
        .select_related("case", "case__customer")
        .prefetch_related("case__customer__identities")
        .order_by("case__customer_id", "-case__created_at", "-case_id")
    )
    by_customer: dict[int, list[IncidentCase]] = {}
    for link in links:
        by_customer.setdefault(link.case.customer_id, []).append(link)
    newest_cases = [group[0].case for group in by_customer.values()]
    first_messages = _first_messages([c.pk for c in newest_cases])
    now = clock.now()
    notifications, rows = [], []
    for group in by_customer.values():
        case = group[0].case  # the newest: its language is the one the customer last wrote in
        told = case.customer.notify_incidents
        if told:
            context = {
                **_incident_context(incident, case.language),
                "fixed_at": incident.fixed_at,
                "references": [link.case.reference for link in group],
            }
            notifications.append(
                customer_notify(
                    case=case,
                    event="incident_fixed",
                    context=context,
                    first_message=first_messages.get(case.pk),
                    queue=False,
                )
            )
        data = {"incident": str(incident.public_id), "title": incident.title, "told": told}
        if told:
            data["mail_case"] = case.reference
        rows += [
            audit_event(name=events.INCIDENT_FIXED_TOLD, target=link.case, actor_label="system", data=data)
            for link in group
        ]
    if notifications:
        notifications_queue(notifications)
    bulk_create_fast(AuditEvent, rows)
    IncidentCase.objects.filter(pk__in=[link.pk for link in links]).update(fixed_notice_at=now)
    return len(customer_ids), len(notifications)


def _first_messages(case_ids: list[int]) -> dict[int, Message]:
    """Each case's opening message (one query): the fixed notice is threaded under the
    complaint it answers, without reading each case's whole thread."""
    first_ids = Subquery(
        Message.objects.filter(case_id=OuterRef("case_id"), kind=MessageKind.INBOUND)
        .order_by("created_at", "id")
        .values("id")[:1]
    )
    rows = (
        Message.objects.filter(case_id__in=case_ids, kind=MessageKind.INBOUND)
        .filter(id=first_ids)
        .only("id", "case_id", "created_at", "email_message_id")
    )
    return {m.case_id: m for m in rows}
