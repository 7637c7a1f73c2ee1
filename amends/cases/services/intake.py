"""case_open: the one way a complaint enters Amends, whatever the channel (R-IN-1)."""

import hashlib

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from amends.cases import events
from amends.cases.choices import Channel, MessageKind, Priority
from amends.cases.models import Case, Category, Message
from amends.cases.services.attachments import CheckedFile, attachment_save_all, attachments_check
from amends.cases.services.lifecycle import case_assign
from amends.cases.services.references import reference_new
from amends.core import clock
from amends.core.audit import record_event
from amends.core.errors import DomainError
from amends.core.i18n import normalise_language
from amends.customers.services import customer_match_or_create, normalise_email
from amends.notify.services import customer_notify
from amends.sla.services.clocks import clocks_follow


def case_open(
    *,
    channel: str,
    body: str,
    full_name: str = "",
    email: str = "",
    phone: str = "",
    language: str = "en",
    subject: str = "",
    order_number: str = "",
    desired_outcome: str = "",
    desired_outcome_detail: str = "",
    priority: str = Priority.NORMAL,
    category: Category | None = None,
    vulnerable: bool = False,
    attachments: list[UploadedFile] | None = None,
    intake_key: str | None = None,
    owner=None,
    actor=None,
    actor_label: str = "",
    acknowledge: bool = True,
    email_message_id: str = "",
) -> Case:
    """Record a complaint, its first message verbatim, and acknowledge it to the customer.

    With an `intake_key` (any string: the form's token, the API's Idempotency-Key) the call is
    idempotent: a repeated submit returns the first case. With an `owner` the case is
    assigned in the same transaction. `acknowledge=False` opens it without the mail.
    """
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
    checked = attachments_check(attachments or [])
    if intake_key:
        # Stored hashed: fixed length whatever the client sends, and no client text in the row.
        intake_key = hashlib.sha256(intake_key.encode()).hexdigest()
        existing = Case.objects.filter(intake_key=intake_key).first()
        if existing:
            return existing
    try:
        return _case_open(
            channel=channel,
            body=body,
            full_name=full_name.strip(),
            email=email,
            phone=phone,
            language=normalise_language(language),
            subject=subject.strip(),
            order_number=order_number.strip(),
            desired_outcome=desired_outcome,
            desired_outcome_detail=desired_outcome_detail.strip(),
            priority=priority,
            category=category,
            vulnerable=vulnerable,
            checked=checked,
            intake_key=intake_key,
            owner=owner,
            actor=actor,
            actor_label=actor_label,
            acknowledge=acknowledge,
            email_message_id=email_message_id,
        )
    except IntegrityError:
        # The same submit raced us (double click on two workers): hand back the winner's case.
        if intake_key:
            existing = Case.objects.filter(intake_key=intake_key).first()
            if existing:
                return existing
        raise


@transaction.atomic
def _case_open(
    *,
    channel,
    body,
    full_name,
    email,
    phone,
    language,
    subject,
    order_number,
    desired_outcome,
    desired_outcome_detail,
    priority,
    category,
    vulnerable,
    checked: list[CheckedFile],
    intake_key,
    owner,
    actor,
    actor_label,
    acknowledge,
    email_message_id,
) -> Case:
    now = clock.now()
    customer = customer_match_or_create(full_name=full_name, email=email, phone=phone, language=language)
    case = Case(
        customer=customer,
        channel=channel,
        language=language,
        subject=subject[:200],
        order_number=order_number,
        desired_outcome=desired_outcome,
        desired_outcome_detail=desired_outcome_detail,
        priority=priority,
        category=category,
        vulnerable=vulnerable,
        intake_key=intake_key,
        created_at=now,
        updated_at=now,
    )
    for _attempt in range(5):
        case.reference = reference_new()
        if not Case.objects.filter(reference=case.reference).exists():
            break
    case.save()
    message = Message.objects.create(
        case=case,
        kind=MessageKind.INBOUND,
        channel=channel,
        author_name=customer.full_name,
        body=body,
        created_at=now,
        email_message_id=email_message_id[:998],  # the acknowledgement threads under it
    )
    attachment_save_all(message=message, checked=checked)
    # Before the acknowledgement: it tells the customer the first-response due time.
    clocks_follow(case=case, event=events.OPENED, at=now)
    record_event(
        name=events.OPENED,
        target=case,
        actor=actor,
        actor_label=actor_label or ("customer" if actor is None else ""),
        data={"channel": channel, "reference": case.reference, "attachments": len(checked)},
    )
    if acknowledge:  # not for automatic mail or an address over its daily cap (amends.mail)
        customer_notify(
            case=case, event="received", to_address=normalise_email(email) if email.strip() else None
        )
    if owner is not None:
        case = case_assign(case=case, owner=owner, actor=actor or owner)
    return case
