"""Every change of a case's state goes through here, and each writes its audit event in the
same transaction (STYLE.md convention 2).

Each service locks the case row first (cases.locks), checks that the action is allowed in
the current status, changes what it must, records the event and queues what the customer
should be told.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from amends.cases import events
from amends.cases.choices import (
    Decision,
    MessageKind,
    MessagePurpose,
    Priority,
    ResolutionType,
    Status,
)
from amends.cases.locks import case_lock
from amends.cases.models import Case, Category, Message, RootCause
from amends.cases.services.attachments import attachment_save_all, attachments_check
from amends.core import clock
from amends.core.audit import audit_event, record_event
from amends.core.db import bulk_create_fast, bulk_update_by_pk
from amends.core.errors import Conflict, DomainError, InvalidTransition
from amends.core.models import AuditEvent
from amends.insight.analysis.queue import analysis_queue
from amends.notify.services import customer_notify
from amends.reports.services.rollups import rollups_refresh
from amends.sla.services.clocks import clocks_follow, clocks_follow_many
from amends.sla.services.commitments import commitment_create, commitments_keep_on_update
from amends.sla.services.followups import followup_schedule, followups_cancel, followups_cancel_many

ACTIVE = (Status.NEW, Status.OPEN, Status.WAITING)

# Which statuses each action may start from.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "assign": ACTIVE,
    "transfer": ACTIVE,
    "reply": ACTIVE,
    "ask": ACTIVE,
    "note": (*ACTIVE, Status.RESOLVED, Status.CLOSED),
    "update": (*ACTIVE, Status.RESOLVED),
    "resolve": ACTIVE,
    "reopen": (Status.RESOLVED, Status.CLOSED),
    "close": (Status.RESOLVED,),
    "customer_message": (*ACTIVE, Status.RESOLVED),
}

# One whole sentence per action: translators need the verb and its object together.
REFUSALS = {
    "assign": gettext_lazy("A case with the status “%(status)s” cannot be given an owner."),
    "transfer": gettext_lazy("A case with the status “%(status)s” cannot be handed over."),
    "reply": gettext_lazy("A case with the status “%(status)s” cannot be replied to. Reopen it first."),
    "ask": gettext_lazy(
        "A case with the status “%(status)s” cannot be used to ask the customer. Reopen it first."
    ),
    "note": gettext_lazy("A case with the status “%(status)s” cannot take notes."),
    "update": gettext_lazy("A case with the status “%(status)s” cannot be edited."),
    "resolve": gettext_lazy("A case with the status “%(status)s” cannot be resolved."),
    "reopen": gettext_lazy("A case with the status “%(status)s” is already open."),
    "close": gettext_lazy("Only a resolved case can be closed; this one has the status “%(status)s”."),
    "customer_message": gettext_lazy(
        "A case with the status “%(status)s” cannot take new customer messages."
    ),
}

UNCHANGED: Any = object()  # case_update: "leave this field as it is"

HANDOFF_SUMMARY_MIN = 20  # characters: enough for "what happened, what was promised, what's next"


def _require(case: Case, action: str) -> None:
    if case.status not in ALLOWED_FROM[action]:
        raise InvalidTransition(str(REFUSALS[action]) % {"status": case.get_status_display()})


def _actor_name(actor: Any) -> str:
    return getattr(actor, "full_name", "") or str(actor)


def _save(case: Case, fields: Iterable[str]) -> None:
    case.updated_at = clock.now()
    case.save(update_fields=[*fields, "updated_at"])


def _mark_first_response(case: Case, fields: list[str]) -> None:
    if case.first_responded_at is None:
        case.first_responded_at = clock.now()
        fields.append("first_responded_at")


def _add_message(
    *,
    case: Case,
    kind: str,
    actor: Any,
    body: str,
    purpose: str = "",
    attachments: list[UploadedFile] | None = None,
) -> Message:
    if not body.strip():
        raise DomainError(_("The message is empty."), code="empty_body", field="body")
    checked = attachments_check(attachments or [])
    message = Message.objects.create(
        case=case,
        kind=kind,
        purpose=purpose,
        channel=case.channel,
        author=actor,
        author_name=_actor_name(actor),
        body=body,
        created_at=clock.now(),
    )
    attachment_save_all(message=message, checked=checked)
    return message


@transaction.atomic
def case_assign(*, case: Case, owner: Any, actor: Any, tell_customer: bool = True) -> Case:
    """Give an unowned case its named owner (R-OW-1); claiming is assigning to oneself.

    If someone else got there first, raise Conflict naming them: the caller lost the race.
    ``tell_customer=False`` is for a caller that names the owner in its own mail (case_open).
    """
    case = case_lock(case_id=case.pk)
    _require(case, "assign")
    if case.owner_id is not None:
        if case.owner_id == owner.pk:
            return case
        raise Conflict(
            _("%(name)s already took this case. Ask them, or transfer it with a summary.")
            % {"name": case.owner.full_name},
            code="already_owned",
        )
    if not owner.is_active:
        raise DomainError(_("This person cannot take cases."), code="inactive_owner", field="owner")
    before = (case.status, None)
    case.owner = owner
    fields = ["owner"]
    if case.status == Status.NEW:
        case.status = Status.OPEN
        fields.append("status")
    _save(case, fields)
    record_event(
        name=events.ASSIGNED,
        target=case,
        actor=actor,
        changes={"owner": (before[1], owner.full_name), "status": (before[0], case.status)},
    )
    clocks_follow(case=case, event=events.ASSIGNED)
    if tell_customer:
        customer_notify(case=case, event="assigned", context={"owner_name": owner.full_name})
    rollups_refresh(case_ids=[case.pk])
    return case


@transaction.atomic
def case_transfer(*, case: Case, to_owner: Any, actor: Any, summary: str, to_team: Any = None) -> Case:
    """Warm handoff (R-OW-2): a written summary for the receiver, the customer told who now has it."""
    case = case_lock(case_id=case.pk)
    _require(case, "transfer")
    summary = summary.strip()
    if len(summary) < HANDOFF_SUMMARY_MIN:
        raise DomainError(
            ngettext(
                "Write a handoff summary of at least %(count)d character: what happened, what was "
                "promised and what comes next, so the customer never has to repeat the story.",
                "Write a handoff summary of at least %(count)d characters: what happened, what was "
                "promised and what comes next, so the customer never has to repeat the story.",
                HANDOFF_SUMMARY_MIN,
            )
            % {"count": HANDOFF_SUMMARY_MIN},
            code="handoff_summary_required",
            field="summary",
        )
    if case.owner_id == to_owner.pk:
        raise DomainError(_("This person already owns the case."), code="same_owner", field="to_owner")
    if not to_owner.is_active:
        raise DomainError(_("This person cannot take cases."), code="inactive_owner", field="to_owner")
    previous = case.owner
    case.owner = to_owner
    fields = ["owner"]
    changes: dict[str, tuple[Any, Any]] = {
        "owner": (previous.full_name if previous else None, to_owner.full_name)
    }
    if to_team is not None and to_team.pk != case.team_id:
        changes["team"] = (str(case.team) if case.team_id else None, str(to_team))
        case.team = to_team
        fields.append("team")
    if case.status == Status.NEW:
        changes["status"] = (case.status, Status.OPEN)
        case.status = Status.OPEN
        fields.append("status")
    _save(case, fields)
    _add_message(case=case, kind=MessageKind.NOTE, actor=actor, body=summary, purpose=MessagePurpose.HANDOFF)
    record_event(
        name=events.TRANSFERRED,
        target=case,
        actor=actor,
        changes=changes,
        data={"summary": summary},
    )
    clocks_follow(case=case, event=events.TRANSFERRED)
    customer_notify(case=case, event="transferred", context={"owner_name": to_owner.full_name})
    rollups_refresh(case_ids=[case.pk])
    return case


@transaction.atomic
def case_reply(
    *,
    case: Case,
    actor: Any,
    body: str,
    attachments: list[UploadedFile] | None = None,
    promise_due: datetime | None = None,
) -> Message:
    """Answer the customer. Replying to an unowned case makes the replier its owner.

    With `promise_due` the reply carries a promise ("I will update you by …", R-TI-2),
    recorded as a commitment of the replier. Any earlier open promise is kept by this reply.
    """
    case = case_lock(case_id=case.pk)
    _require(case, "reply")
    message = _add_message(
        case=case, kind=MessageKind.OUTBOUND, actor=actor, body=body, attachments=attachments
    )
    fields: list[str] = []
    changes: dict[str, tuple[Any, Any]] = {}
    if case.owner_id is None:
        changes["owner"] = (None, actor.full_name)
        case.owner = actor
        fields.append("owner")
    if case.status != Status.OPEN:
        changes["status"] = (case.status, Status.OPEN)
        case.status = Status.OPEN
        fields.append("status")
    _mark_first_response(case, fields)
    _save(case, fields)
    record_event(
        name=events.REPLIED,
        target=case,
        actor=actor,
        changes=changes,
        data={"message": str(message.public_id)},
    )
    clocks_follow(case=case, event=events.REPLIED)
    commitments_keep_on_update(case=case, actor=actor)
    if promise_due is not None:
        commitment_create(case=case, owner=actor, due_at=promise_due, message=message)
    customer_notify(
        case=case,
        event="reply",
        context={"body": body, "author_name": actor.full_name, "promise_due": promise_due},
    )
    rollups_refresh(case_ids=[case.pk])
    return message


@transaction.atomic
def case_ask(*, case: Case, actor: Any, body: str) -> Message:
    """Ask the customer for something; the case waits for their answer."""
    case = case_lock(case_id=case.pk)
    _require(case, "ask")
    message = _add_message(
        case=case,
        kind=MessageKind.OUTBOUND,
        actor=actor,
        body=body,
        purpose=MessagePurpose.QUESTION,
    )
    changes: dict[str, tuple[Any, Any]] = {}
    fields = ["status"]
    if case.status != Status.WAITING:
        changes["status"] = (case.status, Status.WAITING)
    if case.owner_id is None:
        changes["owner"] = (None, actor.full_name)
        case.owner = actor
        fields.append("owner")
    case.status = Status.WAITING
    _mark_first_response(case, fields)
    _save(case, fields)
    record_event(name=events.QUESTION_ASKED, target=case, actor=actor, changes=changes)
    clocks_follow(case=case, event=events.QUESTION_ASKED)
    commitments_keep_on_update(case=case, actor=actor)
    customer_notify(case=case, event="question", context={"body": body, "author_name": actor.full_name})
    rollups_refresh(case_ids=[case.pk])
    return message


@transaction.atomic
def case_note(*, case: Case, actor: Any, body: str, attachments: list[UploadedFile] | None = None) -> Message:
    """An internal note: never shown or sent to the customer."""
    case = case_lock(case_id=case.pk)
    _require(case, "note")
    message = _add_message(case=case, kind=MessageKind.NOTE, actor=actor, body=body, attachments=attachments)
    _save(case, [])
    record_event(name=events.NOTE_ADDED, target=case, actor=actor, data={"message": str(message.public_id)})
    return message


@transaction.atomic
def case_customer_message(
    *,
    case: Case,
    body: str,
    channel: str,
    attachments: list[UploadedFile] | None = None,
    email_message_id: str = "",
) -> Message:
    """A new message from the customer: a waiting or resolved case becomes open again."""
    if not body.strip():
        raise DomainError(_("The message is empty."), code="empty_body", field="body")
    checked = attachments_check(attachments or [])
    item = CustomerMessage(
        case_id=case.pk, body=body, channel=channel, checked=checked, email_message_id=email_message_id
    )
    return customer_messages_add([item], refuse=True)[0]


@dataclass
class CustomerMessage:
    """One message from a customer for customer_messages_add (attachments already checked)."""

    case_id: int
    body: str
    channel: str
    checked: list = dataclass_field(default_factory=list)
    email_message_id: str = ""


def customer_messages_add(items: list[CustomerMessage], *, refuse: bool = False) -> list[Message | None]:
    """Customer messages on several cases in one go, in the caller's transaction: the cases
    locked in one query (by primary key, the lock order everywhere), the messages and audit
    rows inserted in bulk, the clocks moved together (clocks_follow_many), each case saved
    once, their satisfaction checks cancelled in one statement. A waiting or resolved case
    becomes open again. For a case that takes no more messages (closed) the answer is None,
    or, with ``refuse``, InvalidTransition. The email drain adds a batch's replies this way."""
    now = clock.now()
    ids = sorted({item.case_id for item in items})
    cases = {
        c.pk: c
        for c in Case.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    taken: list[CustomerMessage] = []
    changes: list[dict[str, tuple[Any, Any]]] = []
    for item in items:
        case = cases[item.case_id]
        if case.status not in ALLOWED_FROM["customer_message"]:
            if refuse:
                _require(case, "customer_message")
            continue
        change: dict[str, tuple[Any, Any]] = {}
        if case.status in (Status.WAITING, Status.RESOLVED):
            new_status = Status.OPEN if case.owner_id else Status.NEW
            change["status"] = (case.status, new_status)
            case.status = new_status
            case.resolved_at = None
        taken.append(item)
        changes.append(change)
    messages = bulk_create_fast(
        Message,
        [
            Message(
                case=cases[item.case_id],
                kind=MessageKind.INBOUND,
                channel=item.channel,
                author_name=cases[item.case_id].customer.full_name,
                body=item.body,
                created_at=now,
                email_message_id=item.email_message_id[:998],
            )
            for item in taken
        ],
    )
    for item, message in zip(taken, messages, strict=True):
        attachment_save_all(message=message, checked=item.checked)
    bulk_create_fast(
        AuditEvent,
        [
            audit_event(
                name=events.CUSTOMER_REPLIED,
                target=cases[item.case_id],
                actor_label="customer",
                changes=change,
            )
            for item, change in zip(taken, changes, strict=True)
        ],
    )
    touched = [cases[pk] for pk in sorted({item.case_id for item in taken})]
    if touched:
        clocks_follow_many(cases=touched, event=events.CUSTOMER_REPLIED, at=now)
        for case in touched:
            case.updated_at = now
        bulk_update_by_pk(Case, touched, CUSTOMER_MESSAGE_FIELDS)
        followups_cancel_many(case_ids=[c.pk for c in touched])
        # Only a case that was resolved counts differently now (it is no longer resolved).
        was_resolved = [
            item.case_id
            for item, change in zip(taken, changes, strict=True)
            if change.get("status", ("",))[0] == Status.RESOLVED
        ]
        rollups_refresh(case_ids=was_resolved)
    analysis_queue(messages)  # language and signals: read by a drain, off this request
    by_item = dict(zip(map(id, taken), messages, strict=True))
    return [by_item.get(id(item)) for item in items]


# What a customer message may change on a case (its status, and the clock fields).
CUSTOMER_MESSAGE_FIELDS = (
    "status",
    "resolved_at",
    "updated_at",
    "next_due_at",
    "sla_breached",
    "first_response_due",
    "first_response_seconds",
    "resolution_seconds",
)


@transaction.atomic
def case_update(
    *,
    case: Case,
    actor: Any,
    category: Category | object | None = UNCHANGED,
    priority: str | object = UNCHANGED,
    vulnerable: bool | object = UNCHANGED,
    summary: str | object = UNCHANGED,
    subject: str | object = UNCHANGED,
) -> Case:
    """Triage fields an agent sets; each change is audited with before and after.

    Leave a field out (UNCHANGED) to keep it; category=None clears the category.
    """
    case = case_lock(case_id=case.pk)
    _require(case, "update")
    if priority is not UNCHANGED and priority not in Priority.values:
        raise DomainError(_("Unknown priority."), code="bad_priority", field="priority")
    wanted = {
        "category": category,
        "priority": priority,
        "vulnerable": vulnerable,
        "summary": summary,
        "subject": subject,
    }
    changes: dict[str, tuple[Any, Any]] = {}
    for field, value in wanted.items():
        if value is UNCHANGED:
            continue
        current = getattr(case, field)
        if current != value:
            changes[field] = (current, value)
            setattr(case, field, value)
    if changes:
        _save(case, list(changes))
        record_event(name=events.UPDATED, target=case, actor=actor, changes=changes)
        if {"priority", "category"} & set(changes):
            clocks_follow(case=case, event=events.UPDATED)
        rollups_refresh(case_ids=[case.pk])
    return case


@transaction.atomic
def case_resolve(
    *,
    case: Case,
    actor: Any,
    resolution_type: str,
    decision: str,
    summary: str,
    redress_amount: Decimal | None = None,
    redress_currency: str = "",
) -> Case:
    """Resolve with what was done (R-RE-1); the customer gets the summary and thanks (R-RE-3)."""
    case = case_lock(case_id=case.pk)
    _require(case, "resolve")
    if resolution_type not in ResolutionType.values:
        raise DomainError(
            _("Choose how the case was resolved."),
            code="resolution_required",
            field="resolution_type",
        )
    if decision not in Decision.values:
        raise DomainError(
            _("Choose the decision on the complaint."), code="decision_required", field="decision"
        )
    if not summary.strip():
        raise DomainError(
            _("Write a short summary of what was done for the customer."),
            code="summary_required",
            field="summary",
        )
    if redress_amount is not None and redress_amount < 0:
        raise DomainError(
            _("The redress amount cannot be negative."), code="bad_redress", field="redress_amount"
        )
    _add_message(
        case=case,
        kind=MessageKind.OUTBOUND,
        actor=actor,
        body=summary,
        purpose=MessagePurpose.RESOLUTION,
    )
    changes: dict[str, tuple[Any, Any]] = {
        "status": (case.status, Status.RESOLVED),
        "resolution_type": (case.resolution_type or None, resolution_type),
        "decision": (case.decision or None, decision),
    }
    if redress_amount is not None:
        changes["redress_amount"] = (case.redress_amount, redress_amount)
    fields = [
        "status",
        "resolution_type",
        "decision",
        "redress_amount",
        "redress_currency",
        "resolved_at",
    ]
    if case.owner_id is None:
        changes["owner"] = (None, actor.full_name)
        case.owner = actor
        fields.append("owner")
    case.status = Status.RESOLVED
    case.resolution_type = resolution_type
    case.decision = decision
    case.redress_amount = redress_amount
    case.redress_currency = redress_currency.upper()[:3]
    case.resolved_at = clock.now()
    _mark_first_response(case, fields)
    _save(case, fields)
    record_event(name=events.RESOLVED, target=case, actor=actor, changes=changes)
    clocks_follow(case=case, event=events.RESOLVED)
    commitments_keep_on_update(case=case, actor=actor)
    followup_schedule(case=case)
    customer_notify(
        case=case,
        event="resolved",
        context={"summary": summary, "owner_name": case.owner.full_name},
    )
    rollups_refresh(case_ids=[case.pk])
    return case


@transaction.atomic
def case_reopen(*, case: Case, actor: Any, reason: str) -> Case:
    """Open a resolved or closed case again, with the same owner (R-RE-2)."""
    case = case_lock(case_id=case.pk)
    _require(case, "reopen")
    if not reason.strip():
        raise DomainError(_("Say why the case is reopened."), code="reason_required", field="reason")
    changes: dict[str, tuple[Any, Any]] = {"status": (case.status, Status.OPEN)}
    fields = ["status", "resolved_at", "closed_at"]
    if case.owner_id is None:
        # Whoever reopens an unowned case owns it: an open case always has a named owner.
        changes["owner"] = (None, actor.full_name)
        case.owner = actor
        fields.append("owner")
    case.status = Status.OPEN
    case.resolved_at = None
    case.closed_at = None
    _save(case, fields)
    _add_message(case=case, kind=MessageKind.NOTE, actor=actor, body=reason)
    record_event(name=events.REOPENED, target=case, actor=actor, changes=changes, data={"reason": reason})
    clocks_follow(case=case, event=events.REOPENED)
    followups_cancel(case=case)
    customer_notify(case=case, event="reopened", context={"owner_name": case.owner.full_name})
    rollups_refresh(case_ids=[case.pk])
    return case


@transaction.atomic
def case_reopen_by_customer(*, case: Case, body: str) -> Case:
    """The customer says it is not solved (the follow-up link): their words become an inbound
    message and the case opens again with the same owner and a running response clock."""
    case = case_lock(case_id=case.pk)
    _require(case, "reopen")
    Message.objects.create(
        case=case,
        kind=MessageKind.INBOUND,
        channel=case.channel,
        author_name=case.customer.full_name,
        body=body,
        created_at=clock.now(),
    )
    new_status = Status.OPEN if case.owner_id else Status.NEW
    changes: dict[str, tuple[Any, Any]] = {"status": (case.status, new_status)}
    case.status = new_status
    case.resolved_at = None
    case.closed_at = None
    _save(case, ["status", "resolved_at", "closed_at"])
    record_event(
        name=events.REOPENED, target=case, actor_label="customer", changes=changes, data={"reason": body}
    )
    clocks_follow(case=case, event=events.REOPENED)
    rollups_refresh(case_ids=[case.pk])
    return case


@transaction.atomic
def case_close(*, case: Case, actor: Any, root_cause: RootCause | None = None) -> Case:
    """Resolved → closed, with the root cause found (R-LE-3; the desk requires one). Callers
    that close by themselves (the follow-up sweeper) pass none: the case keeps the code it has,
    usually none, and reports count it as "no root cause recorded"."""
    case = case_lock(case_id=case.pk)
    _require(case, "close")
    changes: dict[str, tuple[Any, Any]] = {"status": (Status.RESOLVED, Status.CLOSED)}
    fields = ["status", "closed_at"]
    if root_cause is not None and root_cause.pk != case.root_cause_id:
        changes["root_cause"] = (case.root_cause, root_cause)
        case.root_cause = root_cause
        fields.append("root_cause")
    case.status = Status.CLOSED
    case.closed_at = clock.now()
    _save(case, fields)
    record_event(name=events.CLOSED, target=case, actor=actor, changes=changes)
    clocks_follow(case=case, event=events.CLOSED)
    rollups_refresh(case_ids=[case.pk])
    return case
