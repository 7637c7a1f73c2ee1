"""Erasing a customer on request (R-PR-1): everything that says who they are or what they
wrote is removed or replaced by a placeholder; the cases stay, with their categories,
statuses, dates, clocks and promises, so the statistics do not change
(docs/subsystems/privacy.md lists every field).

One transaction; the files go only after it commits. Running it again changes nothing more
(and counts nothing), so an interrupted or repeated erasure is safe.
"""

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import F, Q, QuerySet, Value, When
from django.db.models.functions import Length, Lower

from amends.cases.models import Attachment, Case, Message
from amends.core.audit import record_event
from amends.core.models import AuditEvent
from amends.customers.models import Customer, CustomerIdentity, IdentityKind
from amends.insight.similar.services import fingerprints_forget
from amends.insight.suggest.services import suggestions_forget
from amends.mail.models import InboundMail
from amends.notify.models import Notification, NotificationStatus, OutboxEmail
from amends.portal.models import SignInToken
from amends.portal.services import portal_access_revoke
from amends.privacy import events
from amends.privacy.services.retention import files_delete_on_commit
from amends.quality.services.kudos import kudos_forget
from amends.sla.models import Commitment, Escalation, EscalationReason, FollowUp

# What an erased text reads. Not translated: it is data, the same for every reader.
ERASED = "[erased]"

# Audit values that describe the handling, not the customer: kept so the case's history and
# its statistics stay whole. Everything else in an audit row of their cases is replaced.
KEPT_AUDIT_KEYS = frozenset(
    {
        "agent",  # a member of staff (quality reviews and kudos)
        "attachments",  # a count
        "category",
        "channel",
        "commitment",  # public id of the promise
        "decision",
        "due_at",
        "event",
        "kudos",  # public id of the kudos
        "message",  # public id of the message
        "notification",  # id
        "owner",  # a member of staff
        "percent",
        "priority",
        "rating",
        "redress_amount",
        "redress_currency",
        "reference",
        "resolution_type",
        "review",  # public id of the quality review
        "solved",
        "source",  # how kudos came: a code
        "status",
        "team",
        "vulnerable",
    }
)


@dataclass(frozen=True)
class ErasureCounts:
    """Rows changed by one erasure (0 everywhere when run again)."""

    customer: int
    contact_details: int
    cases: int
    messages: int
    attachments: int
    received_emails: int
    notifications: int
    audit_events: int
    promises: int
    satisfaction_checks: int
    escalations: int


def customer_erase(*, customer: Customer, actor: Any = None, actor_label: str = "") -> ErasureCounts:
    """Erase `customer` and log the act (who, when, the counts; never a value erased)."""
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        counts = _erase(locked)
        record_event(
            name=events.CUSTOMER_ERASED,
            target=locked,
            actor=actor,
            actor_label=actor_label,
            data=asdict(counts),
        )
    customer.refresh_from_db()
    return counts


def _erase(customer: Customer) -> ErasureCounts:
    emails = list(customer.identities.filter(kind=IdentityKind.EMAIL).values_list("value", flat=True))
    cases = dict(Case.objects.filter(customer=customer).values_list("pk", "reference"))
    case_ids = list(cases)
    counts: dict[str, int] = {f.name: 0 for f in fields(ErasureCounts)}

    counts["messages"] = _erase_messages(case_ids)
    counts["attachments"] = _erase_attachments(case_ids)
    counts["cases"] = _replace_texts(
        Case.objects.filter(pk__in=case_ids),
        ["subject", "summary", "order_number", "desired_outcome_detail"],
    )
    counts["promises"] = _replace_texts(Commitment.objects.filter(case__in=case_ids), ["description"])
    counts["satisfaction_checks"] = _replace_texts(FollowUp.objects.filter(case__in=case_ids), ["comment"])
    counts["escalations"] = _replace_texts(Escalation.objects.filter(case__in=case_ids), ["note"])
    counts["audit_events"] = _scrub_audit(customer, case_ids)
    counts["received_emails"] = _erase_received_mail(case_ids, emails)
    counts["notifications"] = _erase_notifications(case_ids, emails)
    _erase_outbox(emails, list(cases.values()))
    _scrub_admin_log(customer)
    counts["contact_details"] = CustomerIdentity.objects.filter(customer=customer).delete()[0]
    counts["customer"] = _replace_texts(Customer.objects.filter(pk=customer.pk), ["full_name", "address"])
    # What we estimated they are worth to us is about them too (amends.customers.value).
    Customer.objects.filter(pk=customer.pk).update(
        purchases_per_year=None, expected_years=None, margin_per_purchase=None, lifetime_value=None
    )
    SignInToken.objects.filter(customer=customer).delete()
    portal_access_revoke(customer_id=customer.pk)
    # Derived from their words: the similarity signatures (the cases are never offered as
    # similar again); the signal offsets and languages stay, as statistics.
    fingerprints_forget(case_ids=case_ids)
    suggestions_forget(case_ids=case_ids)  # their texts no longer train the category suggester
    kudos_forget(case_ids=case_ids, replacement=ERASED)  # their words praising an agent
    return ErasureCounts(**counts)


def _replace_texts(qs: QuerySet, names: list[str]) -> int:
    """Put ERASED in each text field that holds anything (empty stays empty); returns the rows
    that still held something."""
    still_held = Q()
    for name in names:
        still_held |= ~Q(**{name: ""}) & ~Q(**{name: ERASED})
    return qs.filter(still_held).update(
        **{name: SqlCase(When(**{name: ""}, then=Value("")), default=Value(ERASED)) for name in names}
    )


def _erase_messages(case_ids: list[int]) -> int:
    """Every message's words, both ways and internal notes. A customer's name as the author
    goes too; staff authors stay (they are not the customer)."""
    customer_named = Q(author__isnull=True) & ~Q(author_name__in=["", ERASED])
    return (
        Message.objects.filter(case__in=case_ids)
        .filter(~Q(body=ERASED) | ~Q(email_message_id="") | customer_named)
        .update(
            body=ERASED,
            email_message_id="",
            author_name=SqlCase(When(customer_named, then=Value(ERASED)), default=F("author_name")),
        )
    )


def _erase_attachments(case_ids: list[int]) -> int:
    """The files go (after commit) and so do their rows: a file name is the customer's words,
    and an empty row would tell nothing (docs/decisions/0011)."""
    rows = Attachment.objects.filter(message__case__in=case_ids)
    names = [name for name in rows.values_list("file", flat=True) if name]
    count = rows.delete()[0]
    files_delete_on_commit(names)
    return count


def _kept(key: str, value: Any) -> bool:
    if key in KEPT_AUDIT_KEYS:
        return True
    if key in ("from", "to"):  # a moved promise's dates are kept; a held mail's sender is not
        return _is_datetime(value)
    return key == "reason" and value in EscalationReason.values  # a code, not someone's words


def _is_datetime(value: Any) -> bool:
    try:
        datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _scrubbed(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value if _kept(key, value) else ERASED for key, value in values.items()}


def _scrub_audit(customer: Customer, case_ids: list[int]) -> int:
    """Audit rows keep their names, times, actors and the handling values; the customer's
    words and addresses in them (a reopening reason, a changed summary, a bounced address)
    are replaced."""
    rows = (
        AuditEvent.objects.filter(
            Q(target_type="case", target_id__in=case_ids) | Q(target_type="customer", target_id=customer.pk)
        )
        .exclude(name__startswith="privacy.")  # counts only, never values
        .only("changes", "data")
    )
    changed = []
    for event in rows.iterator(chunk_size=500):
        changes = {k: v if _kept(k, v) else [ERASED, ERASED] for k, v in event.changes.items()}
        data = _scrubbed(event.data)
        if changes != event.changes or data != event.data:
            event.changes, event.data = changes, data
            changed.append(event)
    AuditEvent.objects.bulk_update(changed, ["changes", "data"], batch_size=500)
    return len(changed)


def _erase_received_mail(case_ids: list[int], emails: list[str]) -> int:
    """The raw bytes (headers, addresses, body and files) of mail on their cases or from their
    addresses; the row stays with its size, route, status and times. The hash stays too:
    the bytes it was taken from are gone, and it keeps the (Message-ID, hash) key unique."""
    rows = InboundMail.objects.alias(sender=Lower("from_address"), raw_bytes=Length("raw")).filter(
        Q(case__in=case_ids) | Q(sender__in=emails)
    )
    return rows.exclude(raw_bytes=0).update(
        raw=b"",
        message_id="",
        envelope_from="",
        envelope_to="",
        from_address="",
        subject="",
        error="",
        warnings=[],
    )


def _erase_notifications(case_ids: list[int], emails: list[str]) -> int:
    """Mail to them and staff mail about their cases: address, words and threading ids go;
    event, status and times stay. One still waiting is not sent."""
    rows = Notification.objects.filter(Q(case__in=case_ids) | Q(case__isnull=True, to_address__in=emails))
    rows.filter(status__in=[NotificationStatus.QUEUED, NotificationStatus.SENDING]).update(
        status=NotificationStatus.SKIPPED
    )
    return rows.exclude(to_address="", subject=ERASED, body="").update(
        to_address="",
        subject=ERASED,
        body="",
        body_html="",
        fold_parts=[],
        error="",
        message_id="",
        in_reply_to="",
        references="",
    )


def _erase_outbox(emails: list[str], references: list[str]) -> None:
    """The local outbox (make run's mail backend) keeps whole sent mails: those to them or
    about their cases (the reference is in every subject) are blanked."""
    wanted = [Q(to__icontains=e) for e in emails] + [Q(subject__contains=r) for r in references]
    for start in range(0, len(wanted), 100):
        match = Q()
        for q in wanted[start : start + 100]:
            match |= q
        OutboxEmail.objects.filter(match).update(to="", subject=ERASED, body="", raw="")


def _scrub_admin_log(customer: Customer) -> None:
    """Django's admin history names the object it changed (the customer's name, an address)."""
    types = ContentType.objects.get_for_models(Customer, CustomerIdentity)
    identity_ids = [str(pk) for pk in customer.identities.values_list("pk", flat=True)]
    LogEntry.objects.filter(
        Q(content_type=types[Customer], object_id=str(customer.pk))
        | Q(content_type=types[CustomerIdentity], object_id__in=identity_ids)
    ).update(object_repr=ERASED, change_message="")
