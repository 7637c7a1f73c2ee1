"""The clock loop: fire whatever has come due on SLA clocks, promises and follow-ups.

Runs in every worker (AMENDS_PERIODIC_JOBS). Rows are picked by their indexed
``next_check_at`` with ``SELECT … FOR UPDATE SKIP LOCKED`` (sla/locks.py), so two workers
sweeping at once take disjoint rows, and a row a lifecycle service is changing is left for
the next sweep. Every action moves ``next_check_at`` past the moment it handled, in the same
transaction, so a sweep after downtime fires each missed threshold exactly once and a second
sweep finds nothing to do.

Clock escalations are written in bulk (one insert per table per batch) and mailed as one
digest per person per batch: a sweep that finds a thousand due clocks costs a handful of
queries, not thousands (bench/sweep.py).
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from amends.cases.choices import Status
from amends.cases.locks import case_lock
from amends.cases.models import Case
from amends.core import clock
from amends.core.audit import record_event
from amends.core.db import bulk_insert, bulk_update_by_pk
from amends.notify.services import staff_notify
from amends.reports.services.rollups import rollups_refresh
from amends.sla import events
from amends.sla.locks import due_clocks, due_commitment_ids, due_followup_ids
from amends.sla.models import (
    CaseClock,
    ClockState,
    Commitment,
    CommitmentStatus,
    Escalation,
    EscalationReason,
    FollowUp,
    FollowUpStatus,
    Recipient,
)
from amends.sla.schedule import span_for
from amends.sla.services.clocks import SLA_KINDS, clock_rules, escalation_rules, next_check
from amends.sla.services.followups import followup_send
from amends.sla.tasks import escalation_digests_task

logger = logging.getLogger(__name__)


def sla_sweep(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Handle everything due by ``now``; returns how many rows were acted on."""
    now = now or clock.now()
    batch = batch or settings.AMENDS_SWEEP_BATCH
    done = 0
    while (handled := clocks_sweep(now=now, batch=batch)) > 0:
        done += handled
        if handled < batch:
            break
    done += commitments_sweep(now=now)
    done += followups_sweep(now=now)
    return done


# -- SLA and regulated clocks -------------------------------------------------------------


# Every NOT NULL column: a raw insert gets no model defaults.
ESCALATION_FIELDS = ("case", "clock", "commitment", "reason", "recipient", "percent", "note", "created_at")


@dataclass
class _Batch:
    """Escalations gathered during one batch, inserted together at its end as plain rows;
    their mails are one task (sla.tasks), so the sweep holds its row locks only for the
    inserts. The Escalation rows are the case's record of them (the timeline shows them)."""

    now: datetime
    rows: list[tuple] = field(default_factory=list)

    def escalate(
        self, *, case_id: int, reason: str, recipient: str, clock_id=None, commitment_id=None, percent=None
    ) -> None:
        self.rows.append((case_id, clock_id, commitment_id, reason, recipient, percent, "", self.now))

    def write(self) -> None:
        if self.rows:
            ids = bulk_insert(Escalation, ESCALATION_FIELDS, self.rows, returning_ids=True)
            escalation_digests_task.enqueue(escalation_ids=ids)


def _share_used(item: CaseClock, now: datetime) -> int:
    """Percent of the target used by ``now`` (a running clock)."""
    span = span_for(item.calendar, business_time=item.business_time)
    used = item.consumed_seconds + int(span.elapsed(item.segment_started_at, now).total_seconds())
    return used * 100 // max(item.target_seconds, 1)


def clocks_sweep(*, now: datetime, batch: int) -> int:
    rules = escalation_rules()
    breached_cases: set[int] = set()
    active = (Status.NEW, Status.OPEN, Status.WAITING)
    with transaction.atomic():
        rows = due_clocks(now=now, limit=batch)
        if not rows:
            return 0
        work = _Batch(now=now)
        for item in rows:
            if item.state != ClockState.RUNNING or item.case_status not in active:
                item.next_check_at = None  # stale: the lifecycle stopped it without clearing
                continue
            used = _share_used(item, now)
            own_rules = clock_rules(item, rules)
            for percent, recipient in own_rules:
                if item.escalated_percent < percent <= used:
                    reason = (
                        EscalationReason.CLOCK_BREACH if percent >= 100 else EscalationReason.CLOCK_WARNING
                    )
                    work.escalate(
                        case_id=item.case_id,
                        reason=reason,
                        recipient=recipient,
                        clock_id=item.pk,
                        percent=percent,
                    )
            if used >= 100 and item.is_window:
                # An optional window closed (e.g. FCA summary resolution): not a breach.
                item.state, item.stopped_at, item.next_check_at = ClockState.CANCELLED, item.due_at, None
                continue
            if used >= 100 and item.breached_at is None:
                item.breached_at = item.due_at or now
                if item.kind in SLA_KINDS:
                    breached_cases.add(item.case_id)
            reached = [p for p in {100} | {p for p, _r in own_rules} if p <= used]
            item.escalated_percent = max([item.escalated_percent, *reached])
            item.next_check_at = next_check(item, rules)
            if item.next_check_at is not None and item.next_check_at <= now:
                item.next_check_at = now + timedelta(seconds=1)  # never spin on a row
        bulk_update_by_pk(
            CaseClock, rows, ["state", "stopped_at", "breached_at", "escalated_percent", "next_check_at"]
        )
        work.write()
    if breached_cases:
        # After the clock locks are released: the lifecycle locks the case before its clocks.
        Case.objects.filter(pk__in=breached_cases, sla_breached=False).update(sla_breached=True)
    return len(rows)


# -- promises -----------------------------------------------------------------------------


def commitments_sweep(*, now: datetime) -> int:
    """Remind owners before a promise is due; mark it broken and escalate once it is due."""
    done = 0
    for commitment_id, case_id in due_commitment_ids(now=now):
        with transaction.atomic():
            case_lock(case_id=case_id)  # the lifecycle's lock order: case first
            commitment = (
                Commitment.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("case", "case__owner", "owner")
                .filter(pk=commitment_id, next_check_at__lte=now)
                .first()
            )
            if commitment is None:
                continue
            _commitment_due(commitment, now)
            rollups_refresh(case_ids=[case_id])  # a broken promise counts on the dashboard
            done += 1
    return done


def _commitment_due(commitment: Commitment, now: datetime) -> None:
    case = commitment.case
    if commitment.status != CommitmentStatus.OPEN:
        commitment.next_check_at = None
    elif commitment.due_at <= now:
        commitment.status = CommitmentStatus.BROKEN
        commitment.settled_at = commitment.due_at
        commitment.next_check_at = None
        record_event(
            name=events.PROMISE_BROKEN,
            target=case,
            actor_label="system",
            data={"commitment": str(commitment.public_id), "due_at": commitment.due_at.isoformat()},
        )
        work = _Batch(now=now)
        for recipient in (Recipient.OWNER, Recipient.LEAD):
            work.escalate(
                case_id=case.pk,
                reason=EscalationReason.PROMISE_BROKEN,
                recipient=recipient,
                commitment_id=commitment.pk,
            )
        work.write()
    else:
        if commitment.reminded_at is None:
            staff_notify(
                case=case,
                user=commitment.owner,
                event="promise_reminder",
                context={"due_at": commitment.due_at},
            )
            commitment.reminded_at = now
        commitment.next_check_at = commitment.due_at
    commitment.save(update_fields=["status", "settled_at", "reminded_at", "next_check_at"])


# -- follow-ups ---------------------------------------------------------------------------


def followups_sweep(*, now: datetime) -> int:
    """Send due satisfaction checks; close resolved cases whose check went unanswered."""
    from amends.cases.services.lifecycle import case_close

    done = 0
    for followup_id, case_id in due_followup_ids(now=now):
        with transaction.atomic():
            case = case_lock(case_id=case_id)
            followup = (
                FollowUp.objects.select_for_update(skip_locked=True)
                .filter(pk=followup_id, next_check_at__lte=now)
                .first()
            )
            if followup is None:
                continue
            followup.case = case
            if case.status != Status.RESOLVED:
                followup.status, followup.next_check_at = FollowUpStatus.CANCELLED, None
            elif followup.status == FollowUpStatus.SCHEDULED:
                followup_send(followup=followup)
            elif followup.status == FollowUpStatus.SENT:
                followup.status, followup.next_check_at = FollowUpStatus.EXPIRED, None
                record_event(name=events.FOLLOWUP_EXPIRED, target=case, actor_label="system")
                case_close(case=case, actor=None)
            else:
                followup.next_check_at = None
            followup.save(update_fields=["status", "sent_at", "expires_at", "next_check_at"])
            done += 1
    return done
