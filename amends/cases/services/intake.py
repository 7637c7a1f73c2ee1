"""case_open: the one way a complaint enters Amends, whatever the channel (R-IN-1).

``cases_open`` is the implementation, for a batch: the email drain opens the new cases of a
batch of stored mail at once (one query per table instead of one per case, docs/performance.md);
``case_open`` is a batch of one, with the validation and idempotency the forms and the API need.
"""

import hashlib
from dataclasses import dataclass, field, replace

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from amends.cases import events
from amends.cases.choices import Channel, MessageKind, Priority
from amends.cases.models import Case, Category, Message
from amends.cases.services.attachments import CheckedFile, attachment_save_all, attachments_check
from amends.cases.services.lifecycle import case_assign
from amends.cases.services.references import reference_new
from amends.cases.services.value_priority import value_priority_apply, value_rules_for
from amends.core import clock
from amends.core.audit import audit_event
from amends.core.db import bulk_create_fast
from amends.core.errors import DomainError
from amends.core.i18n import normalise_language
from amends.core.models import AuditEvent
from amends.customers.services import customers_match_or_create_many, normalise_email
from amends.insight.analysis.queue import analysis_queue
from amends.insight.similar.services import fingerprints_queue
from amends.insight.suggest.queue import suggestions_queue
from amends.notify.services import customer_notify, notifications_queue
from amends.reports.services.rollups import rollups_add_new
from amends.sla.models import CaseClock
from amends.sla.services.clocks import SlaConfig, case_clock_fields, clocks_plan_open


@dataclass
class Intake:
    """One complaint to open, as checked by intake_check (CheckedFile attachments, hashed key)."""

    channel: str
    body: str
    full_name: str = ""
    email: str = ""
    phone: str = ""
    language: str = "en"
    subject: str = ""
    order_number: str = ""
    desired_outcome: str = ""
    desired_outcome_detail: str = ""
    priority: str = Priority.NORMAL
    category: Category | None = None
    vulnerable: bool = False
    checked: list[CheckedFile] = field(default_factory=list)
    intake_key: str | None = None
    acknowledge: bool = True
    email_message_id: str = ""
    actor_label: str = ""


def intake_check(
    *,
    channel: str,
    body: str,
    full_name: str = "",
    email: str = "",
    phone: str = "",
    language: str = "en",
    subject: str = "",
    attachments: list[UploadedFile] | None = None,
    intake_key: str | None = None,
    **fields,
) -> Intake:
    """Validate what a channel received and normalise it; raise DomainError (one translated
    sentence, with the field) for what the customer must fix."""
    if not body.strip():
        raise DomainError(_("Please tell us what happened."), code="empty_body", field="body")
    if not (email.strip() or phone.strip()):
        raise DomainError(
            _("Please give an email address or a phone number so we can reach you."),
            code="no_contact",
            field="email",
        )
    if channel not in Channel.values:
        raise DomainError(_("Unknown channel."), code="bad_channel", field="channel")
    return Intake(
        channel=channel,
        body=body,
        full_name=full_name.strip(),
        email=email,
        phone=phone,
        language=normalise_language(language),
        subject=subject.strip(),
        checked=attachments_check(attachments or []),
        # Stored hashed: fixed length whatever the client sends, and no client text in the row.
        intake_key=hashlib.sha256(intake_key.encode()).hexdigest() if intake_key else None,
        **{k: v.strip() if k in ("order_number", "desired_outcome_detail") else v for k, v in fields.items()},
    )


def case_open(
    *,
    owner=None,
    actor=None,
    **received,
) -> Case:
    """Record a complaint, its first message verbatim, and acknowledge it to the customer.

    Takes intake_check's arguments. With an `intake_key` (any string: the form's token, the
    API's Idempotency-Key) the call is idempotent: a repeated submit returns the first case.
    With an `owner` the case is assigned in the same transaction, and the acknowledgement names
    them (one mail, not "received" and then "assigned"). `acknowledge=False` opens it without
    the mail.
    """
    intake = intake_check(**received)
    try:
        with transaction.atomic():
            if owner is None:
                return cases_open([intake], actor=actor)[0]
            case = cases_open([replace(intake, acknowledge=False)], actor=actor)[0]
            first_message = getattr(case, "first_message", None)
            if first_message is None:  # this key opened it before: done then
                return case
            case = case_assign(case=case, owner=owner, actor=actor or owner, tell_customer=False)
            if intake.acknowledge:
                customer_notify(
                    case=case,
                    event="received",
                    context={"owner_name": owner.full_name},
                    to_address=normalise_email(intake.email) if intake.email.strip() else None,
                    first_message=first_message,
                )
            case.first_message = first_message
            return case
    except IntegrityError:
        # The same submit raced us (double click on two workers): hand back the winner's case.
        if intake.intake_key:
            existing = Case.objects.filter(intake_key=intake.intake_key).first()
            if existing:
                return existing
        raise


def cases_open(intakes: list[Intake], *, actor=None) -> list[Case]:
    """Open a case for each intake, in the caller's transaction: customers matched or created,
    the first message kept verbatim, clocks started, the audit written, the acknowledgement
    queued. An intake whose key opened a case before returns that case. Each new case carries
    its opening Message as ``first_message``."""
    now = clock.now()
    keys = [i.intake_key for i in intakes if i.intake_key]
    earlier = {c.intake_key: c for c in Case.objects.filter(intake_key__in=keys)} if keys else {}
    fresh = [i for i in intakes if i.intake_key not in earlier]
    customers = customers_match_or_create_many([(i.full_name, i.email, i.phone, i.language) for i in fresh])
    config = SlaConfig.current()
    value_rules = value_rules_for(customers)  # priority by customer value (R-VA-1): one query, or none
    raised = []
    cases: list[Case] = []
    clocks: list[CaseClock] = []
    for intake, customer in zip(fresh, customers, strict=True):
        case = Case(
            customer=customer,
            channel=intake.channel,
            language=intake.language,
            subject=intake.subject[:200],
            order_number=intake.order_number,
            desired_outcome=intake.desired_outcome,
            desired_outcome_detail=intake.desired_outcome_detail,
            priority=intake.priority,
            category=intake.category,
            vulnerable=intake.vulnerable,
            intake_key=intake.intake_key,
            created_at=now,
            updated_at=now,
        )
        if raise_ := value_priority_apply(case=case, customer=customer, rules=value_rules):
            raised.append(raise_)  # before the clocks are planned: they follow the priority
        # Before the acknowledgement: it tells the customer the first-response due time.
        planned = clocks_plan_open(case=case, at=now, config=config)
        case_clock_fields(case=case, rows=[_clock_row(c) for c in planned])
        clocks += planned
        cases.append(case)
    _references_assign(cases)
    bulk_create_fast(Case, cases)
    bulk_create_fast(CaseClock, clocks)  # each takes its case's new primary key
    messages = bulk_create_fast(
        Message,
        [
            Message(
                case=case,
                kind=MessageKind.INBOUND,
                channel=intake.channel,
                author_name=case.customer.full_name,
                body=intake.body,
                created_at=now,
                email_message_id=intake.email_message_id[:998],  # the acknowledgement threads under it
            )
            for intake, case in zip(fresh, cases, strict=True)
        ],
    )
    bulk_create_fast(
        AuditEvent,
        [
            audit_event(
                name=events.OPENED,
                target=case,
                actor=actor,
                actor_label=intake.actor_label or ("customer" if actor is None else ""),
                data={
                    "channel": intake.channel,
                    "reference": case.reference,
                    "attachments": len(intake.checked),
                },
            )
            for intake, case in zip(fresh, cases, strict=True)
        ]
        + [r.event() for r in raised],
    )
    fingerprints_queue(cases)  # similar complaints: computed by a drain, off this request
    analysis_queue(messages)  # language, signals and action rules: a drain, off this request
    suggestions_queue(cases)  # cause category suggestion: a drain, off this request
    acknowledgements = []
    for intake, case, message in zip(fresh, cases, messages, strict=True):
        case.first_message = message  # for the caller's record (the mail it came from)
        attachment_save_all(message=message, checked=intake.checked)
        if intake.acknowledge:  # not for automatic mail or an address over its daily cap (amends.mail)
            acknowledgements.append(
                customer_notify(
                    case=case,
                    event="received",
                    to_address=normalise_email(intake.email) if intake.email.strip() else None,
                    first_message=message,  # the whole thread so far: nothing to look up
                    queue=False,
                )
            )
    notifications_queue(acknowledgements)  # one INSERT for the batch
    rollups_add_new(cases=cases)  # the dashboard's counters: last, to hold their rows briefly
    opened = iter(cases)
    return [earlier[i.intake_key] if i.intake_key in earlier else next(opened) for i in intakes]


def _clock_row(item: CaseClock) -> dict:
    return {
        "kind": item.kind,
        "state": item.state,
        "due_at": item.due_at,
        "consumed_seconds": item.consumed_seconds,
        "breached_at": item.breached_at,
        "stopped_at": item.stopped_at,
    }


def _references_assign(cases: list[Case]) -> None:
    """A fresh reference each, checked against the table in one query (and each other)."""
    for _attempt in range(5):
        wanted = [c for c in cases if not c.reference]
        if not wanted:
            return
        for case in wanted:
            case.reference = reference_new()
        taken = set(
            Case.objects.filter(reference__in=[c.reference for c in wanted]).values_list(
                "reference", flat=True
            )
        )
        seen: set[str] = set()
        for case in wanted:
            if case.reference in taken or case.reference in seen:
                case.reference = ""
            seen.add(case.reference)
    # Still colliding after five rounds (never seen): the unique constraint has the last word.
