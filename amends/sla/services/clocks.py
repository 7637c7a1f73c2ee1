"""The clocks on a case: started, paused, resumed and stopped by the case lifecycle.

The lifecycle calls ``clocks_follow(case=…, event=…)`` inside its transaction, with the case
row locked, after it has changed the case. SLA clocks follow the policy that matches the case;
regulated clocks (complaint regimes) start at receipt and are only ever stopped by the event
that meets them: no pause, no reset on reopen (R-TI-4).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from amends.cases import events
from amends.cases.models import Case
from amends.core import clock
from amends.core.db import bulk_create_fast, bulk_update_by_pk
from amends.sla.calendars import BusinessCalendar
from amends.sla.models import (
    ACTIVE_CLOCK_STATES,
    AfterHours,
    Calendar,
    CaseClock,
    ClockKind,
    ClockState,
    EscalationRule,
    MetBy,
    Policy,
    Recipient,
    Regime,
    RegimeClock,
    Unit,
)
from amends.sla.schedule import business_calendar, calendar_default, span_for

SLA_KINDS = (ClockKind.FIRST_RESPONSE, ClockKind.NEXT_RESPONSE, ClockKind.RESOLUTION)
# Outbound messages that count as "we responded".
RESPONSE_EVENTS = (events.REPLIED, events.QUESTION_ASKED, events.RESOLVED)


def policy_for(case: Case) -> Policy | None:
    """The first active policy (by position) whose every set condition matches the case."""
    shared = _shared_config()
    if shared is not None:
        return _policy_match(shared.policies, case)
    return _policy_match(Policy.objects.filter(is_active=True).select_related("calendar"), case)


def _policy_match(policies, case: Case) -> Policy | None:
    for policy in policies:
        if policy.priority and policy.priority != case.priority:
            continue
        if policy.channel and policy.channel != case.channel:
            continue
        if policy.category_id and policy.category_id != case.category_id:
            continue
        if policy.team_id and policy.team_id != case.team_id:
            continue
        return policy
    return None


def _calendar_for(case: Case, policy: Policy | None, default: Calendar | None = None):
    if policy is not None and policy.calendar_id:
        return policy.calendar
    if case.team_id and case.team.calendar_id:
        return case.team.calendar
    shared = _shared_config()
    return default or (shared.default_calendar if shared is not None else calendar_default())


def _target_minutes(policy: Policy, kind: str) -> int | None:
    return {
        ClockKind.FIRST_RESPONSE: policy.first_response_minutes,
        ClockKind.NEXT_RESPONSE: policy.next_response_minutes,
        ClockKind.RESOLUTION: policy.resolution_minutes,
    }[kind]


type Rules = dict[str, list[tuple[int, str]]]


def escalation_rules() -> Rules:
    """Active escalation rules per clock kind, as sorted (percent, recipient) pairs."""
    shared = _shared_config()
    if shared is not None:
        return shared.rules
    return _escalation_rules_read()


def _escalation_rules_read() -> Rules:
    rows = list(
        EscalationRule.objects.filter(is_active=True).values_list("clock_kind", "percent", "recipient")
    )
    return {kind: sorted((p, r) for k, p, r in rows if not k or k == kind) for kind in ClockKind.values}


def clock_rules(item: CaseClock, rules: Rules) -> list[tuple[int, str]]:
    """The rules for this clock plus its own: a regulated clock alerts the owner and the lead at
    its regime's share (default 80 %); a policy reminder tells the owner N business minutes
    before the target."""
    extra: list[tuple[int, str]] = []
    if item.is_window:
        return []  # nobody is told when an optional window closes
    if item.kind == ClockKind.REGULATED:
        extra = [(item.warn_percent, Recipient.OWNER), (item.warn_percent, Recipient.LEAD)]
    elif item.reminder_minutes:
        lead_seconds = item.reminder_minutes * 60
        if lead_seconds < item.target_seconds:
            extra = [((item.target_seconds - lead_seconds) * 100 // item.target_seconds, Recipient.OWNER)]
    return sorted(set(rules[item.kind]) | set(extra))


def next_check(item: CaseClock, rules: Rules) -> datetime | None:
    """When the next unfired threshold of a running clock is reached (None: nothing to watch)."""
    if item.state != ClockState.RUNNING:
        return None
    percents = {100} | {p for p, _r in clock_rules(item, rules)}
    pending = [p for p in percents if p > item.escalated_percent]
    if not pending:
        return None
    return threshold_at(item, min(pending))


def threshold_at(item: CaseClock, percent: int) -> datetime:
    span = span_for(item.calendar, business_time=item.business_time)
    still = item.target_seconds * percent // 100 - item.consumed_seconds
    return span.add(item.segment_started_at, timedelta(seconds=max(still, 0)))


def _start_sla(
    case: Case, kind: str, policy: Policy, at: datetime, rules: Rules, default: Calendar | None = None
) -> CaseClock | None:
    minutes = _target_minutes(policy, kind)
    if not minutes:
        return None
    calendar = _calendar_for(case, policy, default)
    span = span_for(calendar, business_time=True)
    item = CaseClock(
        case=case,
        kind=kind,
        label="",
        policy=policy,
        calendar=calendar,
        business_time=True,
        pausable=policy.pause_when_waiting,
        target_seconds=minutes * 60,
        warn_percent=policy.warn_percent,
        started_at=at,
        segment_started_at=at,
        due_at=span.add(at, timedelta(minutes=minutes)),
    )
    item.next_check_at = next_check(item, rules)
    return item


def regulated_window(
    rc: RegimeClock, received: datetime, calendar: BusinessCalendar
) -> tuple[datetime, datetime]:
    """(start, due) of a regulated clock for a complaint received at ``received``."""
    start = received
    if rc.after_hours == AfterHours.NEXT_BUSINESS_DAY and not calendar.is_open(received):
        start = calendar.next_opening(received)
    if rc.unit == Unit.HOURS:
        return start, start + timedelta(hours=rc.amount)
    zone = ZoneInfo(calendar.time_zone)
    local_day = start.astimezone(zone).date()
    if rc.unit == Unit.BUSINESS_DAYS:
        return start, _end_of_business_day(calendar, local_day, rc.amount)
    days = rc.amount * 7 if rc.unit == Unit.WEEKS else rc.amount
    # "Within N days": until the end of the Nth day after the day of receipt, local time.
    end_day = local_day + timedelta(days=days + 1)
    return start, datetime(end_day.year, end_day.month, end_day.day, tzinfo=zone)


def _end_of_business_day(calendar: BusinessCalendar, day: date, count: int) -> datetime:
    """Closing time of the ``count``-th business day after ``day`` (which itself does not count)."""
    found = 0
    for _step in range(count * 7 + 60):  # bounded: long holiday seasons, never an endless loop
        day += timedelta(days=1)
        openings = calendar.openings_on(day)
        if openings:
            found += 1
            if found == count:
                return openings[-1][1]
    raise ValueError("no business day found within the search window")


def _start_regulated(case: Case, at: datetime, config: "SlaConfig") -> list[CaseClock]:
    clocks = []
    for regime, calendar, regime_clocks in config.regimes:
        business = business_calendar(calendar)
        for rc in regime_clocks:
            start, due = regulated_window(rc, at, business)
            item = CaseClock(
                case=case,
                kind=ClockKind.REGULATED,
                label=f"{regime.name}: {rc.name}"[:120],
                regime_clock=rc,
                met_by=rc.met_by,
                is_window=rc.is_window,
                calendar=calendar,
                business_time=False,
                pausable=False,
                target_seconds=max(int((due - start).total_seconds()), 1),
                warn_percent=regime.alert_percent,
                started_at=start,
                segment_started_at=start,
                due_at=due,
            )
            item.next_check_at = next_check(item, config.rules)
            clocks.append(item)
    return clocks


@dataclass(frozen=True)
class SlaConfig:
    """What starting a case's clocks reads: the active policies in order, the escalation
    rules, the active regimes with their clocks and calendars, the default calendar. Loaded
    once for a batch of new cases (five queries) instead of once per case."""

    policies: list[Policy]
    rules: Rules
    regimes: list[tuple[Regime, Calendar | None, list[RegimeClock]]]
    default_calendar: Calendar | None

    @classmethod
    def current(cls) -> "SlaConfig":
        """The one shared by the enclosing sla_config_shared() block, or a fresh one."""
        return _shared_config() or cls.load()

    @classmethod
    def load(cls) -> "SlaConfig":
        default = calendar_default()
        regimes = Regime.objects.filter(is_active=True).select_related("calendar").prefetch_related("clocks")
        return cls(
            policies=list(Policy.objects.filter(is_active=True).select_related("calendar")),
            rules=_escalation_rules_read(),
            regimes=[(r, r.calendar or default, list(r.clocks.all())) for r in regimes],
            default_calendar=default,
        )


def _stop(item: CaseClock, at: datetime) -> None:
    span = span_for(item.calendar, business_time=item.business_time)
    if item.state == ClockState.RUNNING:
        item.consumed_seconds += max(int(span.elapsed(item.segment_started_at, at).total_seconds()), 0)
    late = item.consumed_seconds > item.target_seconds or (item.due_at is not None and at > item.due_at)
    if late and item.is_window:
        item.state, item.stopped_at, item.next_check_at = ClockState.CANCELLED, at, None
        return
    item.state = ClockState.MISSED if late else ClockState.MET
    if late and item.breached_at is None:
        item.breached_at = item.due_at or at
    item.stopped_at = at
    item.next_check_at = None


def _pause(item: CaseClock, at: datetime) -> None:
    span = span_for(item.calendar, business_time=item.business_time)
    item.consumed_seconds += max(int(span.elapsed(item.segment_started_at, at).total_seconds()), 0)
    item.state = ClockState.PAUSED
    item.due_at = None
    item.next_check_at = None


def _resume(item: CaseClock, at: datetime, rules: Rules) -> None:
    span = span_for(item.calendar, business_time=item.business_time)
    item.state = ClockState.RUNNING
    item.segment_started_at = at
    item.due_at = span.add(at, timedelta(seconds=max(item.target_seconds - item.consumed_seconds, 0)))
    item.next_check_at = next_check(item, rules)


def _retarget(item: CaseClock, policy: Policy, case: Case, rules: Rules) -> None:
    """The case now matches another policy (priority raised, team changed): new target, same start."""
    minutes = _target_minutes(policy, item.kind)
    if not minutes:
        item.state = ClockState.CANCELLED
        item.stopped_at = clock.now()
        item.next_check_at = None
        return
    item.policy = policy
    item.calendar = _calendar_for(case, policy)
    item.target_seconds = minutes * 60
    item.warn_percent = policy.warn_percent
    item.pausable = policy.pause_when_waiting
    if item.state == ClockState.RUNNING:
        span = span_for(item.calendar, business_time=True)
        remaining = max(item.target_seconds - item.consumed_seconds, 0)
        item.due_at = span.add(item.segment_started_at, timedelta(seconds=remaining))
        item.next_check_at = next_check(item, rules)


CLOCK_FIELDS = [
    "state",
    "policy",
    "calendar",
    "target_seconds",
    "warn_percent",
    "pausable",
    "segment_started_at",
    "consumed_seconds",
    "due_at",
    "stopped_at",
    "breached_at",
    "escalated_percent",
    "next_check_at",
]


def clocks_follow(*, case: Case, event: str, at: datetime | None = None, save_case: bool = True) -> list[str]:
    """Move the case's clocks on a lifecycle event and refresh the case's due/report fields.

    Returns the case fields it changed; with ``save_case=False`` they are only set on the
    instance, for a caller that saves the case itself right after (one UPDATE, not two)."""
    at = at or clock.now()
    if event == events.OPENED:
        _open(case, at)
        return case_clock_fields_refresh(case=case, save=save_case)
    changed = clocks_follow_many(cases=[case], event=event, at=at)[case.pk]
    if changed and save_case:
        Case.objects.filter(pk=case.pk).update(**{name: getattr(case, name) for name in changed})
    return changed


def clocks_follow_many(*, cases: list[Case], event: str, at: datetime) -> dict[int, list[str]]:
    """clocks_follow for several locked cases and one event (not OPENED): their active clocks
    read in one query, moved, new ones inserted and changed ones saved in bulk, and each case's
    due/report fields set on the instance (not saved). Returns, per case id, the fields set."""
    ids = [c.pk for c in cases]
    # Locked (after the cases, the lock order everywhere): the sweeper skips these rows
    # meanwhile instead of firing on a clock this event is about to stop or move.
    active: dict[int, list[CaseClock]] = {pk: [] for pk in ids}
    for item in (
        CaseClock.objects.select_for_update(of=("self",))
        .filter(case_id__in=ids, state__in=ACTIVE_CLOCK_STATES)
        .select_related("calendar", "policy")
        .order_by("pk")
    ):
        active[item.case_id].append(item)
    changed: list[CaseClock] = []
    new: list[CaseClock] = []
    for case in cases:
        changed += _react(case, event, at, active[case.pk], new)
    # Not Django's bulk_update: its CASE WHEN per row and field cost ~2 ms for one clock.
    bulk_update_by_pk(CaseClock, changed, CLOCK_FIELDS)
    bulk_create_fast(CaseClock, new)
    rows: dict[int, list[dict]] = {pk: [] for pk in ids}
    for row in CaseClock.objects.filter(case_id__in=ids).values("case_id", *CLOCK_COLUMNS):
        rows[row["case_id"]].append(row)
    return {case.pk: list(case_clock_fields(case=case, rows=rows[case.pk])) for case in cases}


# sla_config_shared(): None outside a block; inside, [config or None until first read].
_shared: ContextVar[list | None] = ContextVar("amends_sla_config", default=None)


@contextmanager
def sla_config_shared():
    """Within the block, the SLA configuration (policies, escalation rules, regimes, the default
    calendar) is read once, at first use, and shared by every clock moved or started: for a
    batch of mail taken in together. Outside a block each call reads the tables, so an admin's
    change applies at once; a block should therefore last one batch, not a process."""
    token = _shared.set([None])
    try:
        yield
    finally:
        _shared.reset(token)


def _shared_config() -> SlaConfig | None:
    slot = _shared.get()
    if slot is None:
        return None
    if slot[0] is None:
        slot[0] = SlaConfig.load()
    return slot[0]


def _open(case: Case, at: datetime) -> None:
    CaseClock.objects.bulk_create(clocks_plan_open(case=case, at=at, config=SlaConfig.current()))


def clocks_plan_open(*, case: Case, at: datetime, config: SlaConfig) -> list[CaseClock]:
    """The clocks a new case starts with, unsaved (the case may be unsaved too: bulk intake
    inserts the cases first, then these). Regulated clocks first, then the policy's."""
    clocks = _start_regulated(case, at, config)
    policy = _policy_match(config.policies, case)
    if policy is not None:
        for kind in (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION):
            item = _start_sla(case, kind, policy, at, config.rules, config.default_calendar)
            if item is not None:
                clocks.append(item)
    return clocks


def _react(
    case: Case, event: str, at: datetime, active: list[CaseClock], new: list[CaseClock]
) -> list[CaseClock]:
    """The clocks this event changes (returned) and starts (added to `new`, unsaved)."""
    changed: list[CaseClock] = []
    by_kind = {c.kind: c for c in active if c.kind != ClockKind.REGULATED}
    regulated = [c for c in active if c.kind == ClockKind.REGULATED]
    if event in RESPONSE_EVENTS:
        for kind in (ClockKind.FIRST_RESPONSE, ClockKind.NEXT_RESPONSE):
            if kind in by_kind:
                _stop(by_kind[kind], at)
                changed.append(by_kind[kind])
        for item in regulated:
            if item.met_by == MetBy.FIRST_RESPONSE or (
                event == events.RESOLVED and item.met_by == MetBy.RESOLUTION
            ):
                _stop(item, at)
                changed.append(item)
    if event == events.RESOLVED and ClockKind.RESOLUTION in by_kind:
        _stop(by_kind[ClockKind.RESOLUTION], at)
        changed.append(by_kind[ClockKind.RESOLUTION])
    elif event == events.QUESTION_ASKED:
        for item in by_kind.values():
            if item.pausable and item.state == ClockState.RUNNING:
                _pause(item, at)
                changed.append(item)
    elif event == events.REPLIED:
        # A reply while waiting puts the case back in our court: paused clocks run again.
        for item in by_kind.values():
            if item.state == ClockState.PAUSED:
                _resume(item, at, escalation_rules())
                changed.append(item)
    elif event in (events.CUSTOMER_REPLIED, events.REOPENED):
        changed += _customer_turn(case, event, at, by_kind, new)
    elif event == events.CLOSED:
        for item in active:
            item.state, item.stopped_at, item.next_check_at = ClockState.CANCELLED, at, None
            changed.append(item)
    elif event in (events.UPDATED, events.TRANSFERRED, events.ASSIGNED):
        policy = policy_for(case)
        for item in by_kind.values():
            if policy is not None and item.policy_id != policy.pk:
                _retarget(item, policy, case, escalation_rules())
                changed.append(item)
    return changed


def _customer_turn(
    case: Case, event: str, at: datetime, by_kind: dict[str, CaseClock], new: list[CaseClock]
) -> list[CaseClock]:
    """The ball is in our court again: resume paused clocks, start the next-response clock,
    and after a reopen a fresh resolution clock (the regulated ones keep the receipt date)."""
    changed: list[CaseClock] = []
    for item in by_kind.values():
        if item.state == ClockState.PAUSED:
            _resume(item, at, escalation_rules())
            changed.append(item)
    policy = policy_for(case)
    if policy is None:
        return changed
    wanted = [ClockKind.NEXT_RESPONSE]
    if ClockKind.RESOLUTION not in by_kind:
        wanted.append(ClockKind.RESOLUTION)
    if ClockKind.FIRST_RESPONSE in by_kind:
        wanted.remove(ClockKind.NEXT_RESPONSE)  # still owed the first answer: that clock runs
    for kind in wanted:
        if kind not in by_kind:
            item = _start_sla(case, kind, policy, at, escalation_rules())
            if item is not None:
                new.append(item)
    return changed


# What case_clock_fields reads of each clock.
CLOCK_COLUMNS = ("kind", "state", "due_at", "consumed_seconds", "breached_at", "stopped_at")


def case_clock_fields_refresh(*, case: Case, save: bool = True) -> list[str]:
    """Copy what the queue sorts on and reports read from the clocks onto the case row;
    returns the fields that changed."""
    rows = list(case.clocks.values(*CLOCK_COLUMNS))
    changed = case_clock_fields(case=case, rows=rows)
    if changed and save:
        Case.objects.filter(pk=case.pk).update(**changed)
    return list(changed)


def case_clock_fields(*, case: Case, rows: list[dict]) -> dict:
    """Set the case's clock fields from its clocks (dicts of their columns); returns those
    that changed. Bulk intake calls it with the planned clocks before inserting the case."""
    running_due = [r["due_at"] for r in rows if r["state"] == ClockState.RUNNING and r["due_at"]]
    values = {
        "next_due_at": min(running_due) if running_due else None,
        "sla_breached": any(r["breached_at"] for r in rows if r["kind"] in SLA_KINDS),
    }
    first = [r for r in rows if r["kind"] == ClockKind.FIRST_RESPONSE]
    if first:
        values["first_response_due"] = first[0]["due_at"] or case.first_response_due
        if first[0]["stopped_at"] and case.first_response_seconds is None:
            values["first_response_seconds"] = first[0]["consumed_seconds"]
    resolved = [
        r
        for r in rows
        if r["kind"] == ClockKind.RESOLUTION and r["state"] in (ClockState.MET, ClockState.MISSED)
    ]
    if resolved and case.resolution_seconds is None:
        values["resolution_seconds"] = resolved[0]["consumed_seconds"]
    changed = {k: v for k, v in values.items() if getattr(case, k) != v}
    for key, value in changed.items():
        setattr(case, key, value)
    return changed
