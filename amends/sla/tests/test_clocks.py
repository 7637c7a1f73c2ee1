"""SLA and regulated clocks driven by the case lifecycle, and the sweeper that fires them.

The default calendar (migration sla.0002) is Israel: Sunday–Thursday 08:00–17:00, Friday
08:00–13:00, public holidays closed, their eves until 13:00. The Normal policy gives one
business day (8 h) to the first response and five (40 h) to resolution.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from amends.cases.services import lifecycle
from amends.core import clock
from amends.notify.models import Notification
from amends.sla.models import CaseClock, ClockKind, ClockState, Escalation, Policy, Regime
from amends.sla.sweeper import sla_sweep

JLM = ZoneInfo("Asia/Jerusalem")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=JLM)


def freeze(moment: datetime) -> datetime:
    clock.freeze(moment)
    return moment


def clocks_of(case, kind=None):
    rows = CaseClock.objects.filter(case=case).order_by("pk")
    return [c for c in rows if kind is None or c.kind == kind]


@pytest.fixture
def thursday_case(make_case, agent):
    # Thursday 26 November 2026, 16:00: one hour left today, Friday is short, Saturday closed.
    freeze(at(2026, 11, 26, 16, 0))
    return make_case()


def test_intake_starts_first_response_and_resolution_in_business_time(thursday_case):
    first = clocks_of(thursday_case, ClockKind.FIRST_RESPONSE)[0]
    resolution = clocks_of(thursday_case, ClockKind.RESOLUTION)[0]
    # 8 business hours: Thu 16–17 (1), Fri 08–13 (5), Sun 08–10 (2).
    assert first.due_at == at(2026, 11, 29, 10, 0)
    assert first.policy.name == "Normal"
    assert resolution.target_seconds == 40 * 3600
    thursday_case.refresh_from_db()
    assert thursday_case.first_response_due == first.due_at
    assert thursday_case.next_due_at == first.due_at


def test_acknowledgement_tells_the_customer_the_business_time_due(thursday_case):
    mail = Notification.objects.get(case=thursday_case, event="received")
    assert "29 November 2026" in mail.body or "Nov. 29, 2026" in mail.body


def test_reply_meets_first_response_and_stores_business_time_taken(thursday_case, agent):
    freeze(at(2026, 11, 29, 9, 0))  # Sunday 09:00: 7 business hours after receipt
    lifecycle.case_reply(case=thursday_case, actor=agent, body="We are on it.")
    first = clocks_of(thursday_case, ClockKind.FIRST_RESPONSE)[0]
    assert first.state == ClockState.MET
    thursday_case.refresh_from_db()
    assert thursday_case.first_response_seconds == 7 * 3600
    assert thursday_case.sla_breached is False
    assert thursday_case.next_due_at == clocks_of(thursday_case, ClockKind.RESOLUTION)[0].due_at


def test_waiting_for_the_customer_pauses_resolution_and_their_answer_resumes_it(thursday_case, agent):
    freeze(at(2026, 11, 29, 9, 0))
    lifecycle.case_ask(case=thursday_case, actor=agent, body="Which address was it sent to?")
    resolution = clocks_of(thursday_case, ClockKind.RESOLUTION)[0]
    assert resolution.state == ClockState.PAUSED and resolution.due_at is None
    assert resolution.consumed_seconds == 7 * 3600
    freeze(at(2026, 12, 1, 8, 0))  # two business days later
    lifecycle.case_customer_message(case=thursday_case, body="To my office.", channel="web")
    resolution.refresh_from_db()
    assert resolution.state == ClockState.RUNNING
    # 33 business hours were left: Tue 08–17 (9), Wed (9), Thu (9), Fri 08–13 (5), Sun 08–09 (1).
    assert resolution.due_at == at(2026, 12, 6, 9, 0)
    nxt = clocks_of(thursday_case, ClockKind.NEXT_RESPONSE)[0]
    assert nxt.state == ClockState.RUNNING


def test_raising_priority_tightens_the_running_clocks(thursday_case, agent):
    lifecycle.case_update(case=thursday_case, actor=agent, priority="urgent")
    first = clocks_of(thursday_case, ClockKind.FIRST_RESPONSE)[0]
    assert first.policy.name == "Urgent"
    assert first.due_at == at(2026, 11, 26, 17, 0)  # one business hour from 16:00


def test_sweeper_warns_then_breaches_each_exactly_once(thursday_case, agent, lead):
    lifecycle.case_assign(case=thursday_case, owner=agent, actor=agent)
    first = clocks_of(thursday_case, ClockKind.FIRST_RESPONSE)[0]
    freeze(at(2026, 11, 29, 8, 30))  # 6.5 of 8 hours used: past 80 %
    sla_sweep()
    warnings = Escalation.objects.filter(case=thursday_case, clock=first)
    assert [(e.reason, e.recipient, e.percent) for e in warnings] == [("clock_warning", "owner", 80)]
    assert Notification.objects.filter(recipient=agent, event="digest").count() == 1
    assert sla_sweep() == 0  # nothing new is due
    freeze(at(2026, 11, 29, 10, 1))
    sla_sweep()
    first.refresh_from_db()
    assert first.breached_at == first.due_at
    breach = Escalation.objects.filter(case=thursday_case, clock=first, reason="clock_breach")
    assert sorted(e.recipient for e in breach) == ["lead", "owner"]
    thursday_case.refresh_from_db()
    assert thursday_case.sla_breached is True
    assert Escalation.objects.filter(case=thursday_case).count() == 3
    lead_mail = Notification.objects.get(recipient=lead, event="digest")
    assert thursday_case.reference in lead_mail.body


def test_after_downtime_everything_due_fires_once(thursday_case, agent):
    lifecycle.case_assign(case=thursday_case, owner=agent, actor=agent)
    freeze(at(2026, 12, 3, 12, 0))  # days later: 80 %, 100 % and 150 % all passed
    sla_sweep()
    first = clocks_of(thursday_case, ClockKind.FIRST_RESPONSE)[0]
    fired = sorted((e.percent, e.recipient) for e in Escalation.objects.filter(clock=first))
    assert fired == [(80, "owner"), (100, "lead"), (100, "owner"), (150, "manager")]
    assert sla_sweep() == 0
    assert Escalation.objects.filter(clock=first).count() == 4


def test_stopped_clock_is_not_fired(thursday_case, agent):
    lifecycle.case_reply(case=thursday_case, actor=agent, body="Hello")
    freeze(at(2026, 11, 29, 12, 0))
    sla_sweep()
    first = clocks_of(thursday_case, ClockKind.FIRST_RESPONSE)[0]
    assert not Escalation.objects.filter(clock=first).exists()


def test_sweep_query_count_does_not_grow_with_due_clocks(make_case, agent, django_assert_max_num_queries):
    freeze(at(2026, 11, 26, 16, 0))
    for n in range(12):
        lifecycle.case_assign(case=make_case(email=f"c{n}@example.com"), owner=agent, actor=agent)
    freeze(at(2026, 11, 29, 8, 30))
    # The sweep: rules, lock+select, one clock update, two bulk inserts, the digest task row.
    # The test backend runs that task inline (select, one digest mail sent: 8 more), then the
    # promise and follow-up probes. None of it grows with the number of clocks.
    with django_assert_max_num_queries(19):
        sla_sweep()
    assert Escalation.objects.count() == 12


@pytest.fixture
def bank_of_israel():
    regime = Regime.objects.get(code="il-boi")
    regime.is_active = True
    regime.save()
    return regime


def test_regulated_clock_counts_calendar_days_and_ignores_pauses_and_reopens(
    make_case, agent, bank_of_israel
):
    freeze(at(2026, 11, 26, 16, 0))
    case = make_case()
    regulated = clocks_of(case, ClockKind.REGULATED)[0]
    assert regulated.due_at == at(2027, 1, 11, 0, 0)  # end of the 45th day after receipt
    assert regulated.label == "Bank of Israel: Answer to the complainant"
    freeze(at(2026, 11, 29, 9, 0))
    lifecycle.case_ask(case=case, actor=agent, body="Which order?")
    regulated.refresh_from_db()
    assert regulated.state == ClockState.RUNNING  # never paused
    lifecycle.case_resolve(
        case=case, actor=agent, resolution_type="explanation", decision="not_upheld", summary="Explained."
    )
    regulated.refresh_from_db()
    assert regulated.state == ClockState.MET
    lifecycle.case_reopen(case=case, actor=agent, reason="The customer called back")
    assert len(clocks_of(case, ClockKind.REGULATED)) == 1  # not reset: the receipt date stands


def test_regulated_business_days_received_after_hours_count_from_next_day(make_case):
    regime = Regime.objects.get(code="ae-cbuae")
    regime.is_active = True
    regime.save()
    freeze(at(2026, 11, 26, 21, 0))  # Thursday evening, UAE office closed (Dubai 22:00)
    case = make_case()
    ack = next(c for c in clocks_of(case, ClockKind.REGULATED) if "Acknowledgement" in c.label)
    # Starts Friday 09:00 Dubai; two business days after Friday: Monday, Tuesday (17:00 Dubai).
    assert ack.started_at == datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Asia/Dubai"))
    assert ack.due_at == datetime(2026, 12, 1, 17, 0, tzinfo=ZoneInfo("Asia/Dubai"))


def test_no_policy_means_no_sla_clocks(make_case):
    Policy.objects.update(is_active=False)
    case = make_case()
    assert clocks_of(case) == []
    case.refresh_from_db()
    assert case.next_due_at is None


def test_closing_stops_every_clock(thursday_case, agent):
    lifecycle.case_resolve(
        case=thursday_case, actor=agent, resolution_type="explanation", decision="not_upheld", summary="Done."
    )
    lifecycle.case_close(case=thursday_case, actor=agent)
    assert {c.state for c in clocks_of(thursday_case)} <= {ClockState.MET, ClockState.CANCELLED}
    assert not CaseClock.objects.filter(next_check_at__isnull=False).exists()


def test_time_zone_naive_datetimes_are_refused(thursday_case, agent):
    from amends.core.errors import DomainError

    with pytest.raises(DomainError):
        lifecycle.case_reply(
            case=thursday_case,
            actor=agent,
            body="Soon.",
            promise_due=datetime(2026, 11, 29, 12) + timedelta(),
        )


def test_regulated_clock_alerts_owner_and_lead_at_the_regimes_share(make_case, agent, lead, bank_of_israel):
    freeze(at(2026, 11, 26, 16, 0))
    case = make_case()
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    regulated = clocks_of(case, ClockKind.REGULATED)[0]
    freeze(regulated.started_at + (regulated.due_at - regulated.started_at) * 81 / 100)
    sla_sweep()
    alerts = Escalation.objects.filter(clock=regulated)
    assert sorted((e.percent, e.recipient) for e in alerts) == [(80, "lead"), (80, "owner")]


def test_policy_reminder_tells_the_owner_before_the_target(thursday_case, agent):
    Policy.objects.filter(name="Normal").update(reminder_minutes=60)
    lifecycle.case_assign(case=thursday_case, owner=agent, actor=agent)
    lifecycle.case_update(case=thursday_case, actor=agent, priority="high")
    lifecycle.case_update(case=thursday_case, actor=agent, priority="normal")  # re-read the policy
    first = clocks_of(thursday_case, ClockKind.FIRST_RESPONSE)[0]
    assert first.next_check_at == at(2026, 11, 29, 8, 24)  # 80 % of 8 h comes first
    freeze(at(2026, 11, 29, 9, 1))  # 7 of 8 hours: one hour before due
    sla_sweep()
    fired = sorted(e.percent for e in Escalation.objects.filter(clock=first))
    assert fired == [80, 87]


def test_a_reply_while_waiting_resumes_the_paused_clocks(thursday_case, agent):
    freeze(at(2026, 11, 29, 9, 0))
    lifecycle.case_ask(case=thursday_case, actor=agent, body="Which address?")
    freeze(at(2026, 11, 29, 11, 0))
    lifecycle.case_reply(case=thursday_case, actor=agent, body="Found it myself, no need.")
    resolution = clocks_of(thursday_case, ClockKind.RESOLUTION)[0]
    assert resolution.state == ClockState.RUNNING
    assert resolution.consumed_seconds == 7 * 3600  # the two waiting hours did not count


def test_fca_summary_window_closes_without_a_breach(make_case, agent):
    Regime.objects.filter(code="uk-fca-disp").update(is_active=True)
    freeze(at(2026, 11, 26, 10, 0))
    case = make_case()
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    window = next(c for c in clocks_of(case, ClockKind.REGULATED) if c.is_window)
    freeze(window.due_at + timedelta(hours=1))
    sla_sweep()
    window.refresh_from_db()
    assert window.state == ClockState.CANCELLED and window.breached_at is None
    assert not Escalation.objects.filter(clock=window).exists()
    case.refresh_from_db()
    assert case.sla_breached is False or clocks_of(case, ClockKind.FIRST_RESPONSE)[0].breached_at
