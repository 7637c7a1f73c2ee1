"""A customer's data, for them (R-PR-1): one ZIP with `customer.json` and their files.

Built in bounded memory: the JSON is written one case at a time straight into the ZIP, and
each file is copied through in chunks, so a customer with thousands of messages and large
attachments costs one case's rows and a 1 MB buffer. Internal notes are left out unless asked
for (docs/decisions/0011-customer-export-and-erasure.md).
"""

import json
import shutil
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from itertools import groupby
from operator import attrgetter
from typing import IO, Any

from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import HttpRequest

from amends.cases.choices import MessageKind
from amends.cases.models import Attachment, Case, Message
from amends.cases.services.attachments import clean_filename
from amends.core import clock
from amends.core.audit import record_event
from amends.customers.models import Customer, IdentityKind
from amends.notify.models import Notification
from amends.privacy import events
from amends.privacy.models import AccessKind
from amends.privacy.services.access import access_record
from amends.sla.models import Commitment, FollowUp

EXPORT_FORMAT = "amends.customer-export/1"
_COPY_CHUNK = 1024 * 1024
_ROWS_PER_QUERY = 500


@dataclass(frozen=True)
class ExportCounts:
    cases: int
    messages: int
    attachments: int  # files put in the ZIP
    notifications: int


def customer_export(
    *,
    customer: Customer,
    out: IO[bytes],
    include_notes: bool = False,
    request: HttpRequest | None = None,
    user: Any = None,
    actor_label: str = "",
) -> ExportCounts:
    """Write the customer's export ZIP to `out` (a seekable binary file), then log it in the
    access log and as an audit event (counts only). The viewer is `request.user`, or `user`,
    or, for a command, nobody and `actor_label`."""
    counts = _write_zip(customer=customer, out=out, include_notes=include_notes)
    with transaction.atomic():
        access_record(
            customer_id=customer.pk,
            what=AccessKind.EXPORT,
            request=request,
            user=user,
            actor_label=actor_label,
        )
        record_event(
            name=events.CUSTOMER_EXPORTED,
            target=customer,
            actor=request.user if request is not None else user,
            actor_label=actor_label,
            data={**asdict(counts), "internal_notes": include_notes},
        )
    return counts


def customer_export_file(**kwargs: Any) -> tuple[IO[bytes], ExportCounts]:
    """customer_export into an anonymous temporary file, rewound for reading; it disappears
    when closed (a FileResponse closes it once sent)."""
    out = tempfile.TemporaryFile()  # handed to the caller, who closes it
    try:
        counts = customer_export(out=out, **kwargs)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out, counts


def export_filename(customer: Customer) -> str:
    return f"customer-{customer.public_id}.zip"


# --- Writing ----------------------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def _write_zip(*, customer: Customer, out: IO[bytes], include_notes: bool) -> ExportCounts:
    cases = list(Case.objects.filter(customer=customer).select_related("category", "owner").order_by("id"))
    # (name in the ZIP, stored name): copied after the JSON. Names only: a row would hold on to
    # its message, and with it every message of the export.
    files: list[tuple[str, str]] = []
    messages = notifications = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("customer.json", "w") as raw:
            write = _utf8_writer(raw)
            head = {
                "format": EXPORT_FORMAT,
                "exported_at": clock.now().isoformat(),
                "internal_notes_included": include_notes,
                "customer": _customer_dict(customer),
                "contact_details": _contact_details(customer),
            }
            # The head's closing brace is left off: the two long lists follow, an item at a time.
            write(_json(head).removesuffix("\n}") + ',\n  "cases": [\n')
            promises, checks = _promises_and_checks(cases)
            for n, (case, case_messages) in enumerate(_cases_with_messages(cases, include_notes)):
                messages += len(case_messages)
                item = _case_dict(case, case_messages, files)
                item.update(promises=promises[case.pk], satisfaction_checks=checks[case.pk])
                write((",\n" if n else "") + _json(item))
            write('\n  ],\n  "notifications": [\n')
            for n, row in enumerate(_notifications(customer, cases)):
                notifications += 1
                write((",\n" if n else "") + _json(row))
            write("\n  ]\n}\n")
        storage = Attachment._meta.get_field("file").storage
        for name, stored_name in files:
            with storage.open(stored_name, "rb") as src, archive.open(name, "w") as dst:
                shutil.copyfileobj(src, dst, _COPY_CHUNK)
    return ExportCounts(
        cases=len(cases), messages=messages, attachments=len(files), notifications=notifications
    )


def _utf8_writer(raw: IO[bytes]):
    def write(text: str) -> None:
        raw.write(text.encode("utf-8"))

    return write


def _customer_dict(customer: Customer) -> dict[str, Any]:
    return {
        "public_id": str(customer.public_id),
        "full_name": customer.full_name,
        "address": customer.address,
        "language": customer.language,
        "preferred_channel": customer.preferred_channel,
        "created_at": customer.created_at,
        # The figures we keep to estimate their value to us (amends.customers.value).
        "purchases_per_year": customer.purchases_per_year,
        "expected_years": customer.expected_years,
        "margin_per_purchase": customer.margin_per_purchase,
        "lifetime_value": customer.lifetime_value,
    }


def _contact_details(customer: Customer) -> list[dict[str, Any]]:
    return [
        {"kind": i.kind, "value": i.value, "added_at": i.created_at, "bounced_at": i.bounced_at}
        for i in customer.identities.order_by("kind", "id")
    ]


def _cases_with_messages(cases: list[Case], include_notes: bool) -> Iterator[tuple[Case, list[Message]]]:
    """Each case with its messages, oldest first, reading the messages of all cases in one
    ordered, chunked query: only one case's messages are held at a time."""
    qs = Message.objects.filter(case__in=[c.pk for c in cases])
    if not include_notes:
        qs = qs.exclude(kind=MessageKind.NOTE)
    rows = (
        qs.order_by("case_id", "created_at", "id")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .iterator(chunk_size=_ROWS_PER_QUERY)
    )
    groups = groupby(rows, key=attrgetter("case_id"))
    current = next(groups, None)
    for case in cases:
        found: list[Message] = []
        if current is not None and current[0] == case.pk:
            found = list(current[1])
            current = next(groups, None)
        yield case, found


def _case_dict(case: Case, messages: list[Message], files: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "public_id": str(case.public_id),
        "received_at": case.created_at,
        "channel": case.channel,
        "language": case.language,
        "subject": case.subject,
        "status": case.status,
        "handled_by": case.owner.full_name if case.owner else None,
        "category": case.category.code if case.category else None,
        "priority": case.priority,
        "order_number": case.order_number,
        "outcome_wanted": case.desired_outcome,
        "outcome_details": case.desired_outcome_detail,
        "first_response_due": case.first_response_due,
        "first_responded_at": case.first_responded_at,
        "decision": case.decision,
        "resolution": case.resolution_type,
        "redress_amount": case.redress_amount,
        "redress_currency": case.redress_currency,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "messages": [_message_dict(case, m, files) for m in messages],
    }


def _promises_and_checks(cases: list[Case]) -> tuple[dict[int, list], dict[int, list]]:
    """Promises made to the customer and their answers to satisfaction checks, by case: two
    queries for all cases (a few rows per case)."""
    ids = [c.pk for c in cases]
    promises: dict[int, list] = defaultdict(list)
    for c in Commitment.objects.filter(case__in=ids).order_by("created_at", "id"):
        promises[c.case_id].append(
            {
                "description": c.description,
                "due_at": c.due_at,
                "status": c.status,
                "made_at": c.created_at,
                "settled_at": c.settled_at,
            }
        )
    checks: dict[int, list] = defaultdict(list)
    for f in FollowUp.objects.filter(case__in=ids).exclude(sent_at=None).order_by("send_at", "id"):
        checks[f.case_id].append(
            {
                "sent_at": f.sent_at,
                "answered_at": f.answered_at,
                "solved": f.solved,
                "rating": f.rating,
                "comment": f.comment,
            }
        )
    return promises, checks


def _message_dict(case: Case, message: Message, files: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "kind": message.kind,
        "purpose": message.purpose,
        "channel": message.channel,
        "from": message.author_name,
        "at": message.created_at,
        "body": message.body,
        "attachments": [_attachment_dict(case, a, files) for a in message.attachments.all()],
    }


def _attachment_dict(case: Case, attachment: Attachment, files: list[tuple[str, str]]) -> dict[str, Any]:
    stored = attachment.removed_at is None and bool(attachment.file.name)
    stored = stored and attachment.file.storage.exists(attachment.file.name)
    name = None
    if stored:
        # The id keeps two files of the same name apart; clean_filename drops any path part.
        filename = clean_filename(attachment.filename)
        name = f"attachments/{case.reference}/{attachment.public_id.hex[:8]}-{filename}"
        files.append((name, attachment.file.name))
    return {
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "file": name,
        "removed_at": attachment.removed_at,
    }


def _notifications(customer: Customer, cases: list[Case]) -> Iterator[dict[str, Any]]:
    """What we sent the customer: mail about their cases and mail without a case (sign-in) to
    their addresses. Staff mail about their cases is not theirs and stays out."""
    references = {c.pk: c.reference for c in cases}
    emails = list(customer.identities.filter(kind=IdentityKind.EMAIL).values_list("value", flat=True))
    rows = (
        Notification.objects.filter(recipient__isnull=True)
        .filter(Q(case__in=list(references)) | Q(case__isnull=True, to_address__in=emails))
        .order_by("created_at", "id")
        .iterator(chunk_size=_ROWS_PER_QUERY)
    )
    for n in rows:
        yield {
            "case": references.get(n.case_id),
            "event": n.event,
            "channel": n.channel,
            "to": n.to_address,
            "subject": n.subject,
            "body": n.body,
            "status": n.status,
            "created_at": n.created_at,
            "sent_at": n.sent_at,
        }
