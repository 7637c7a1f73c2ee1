"""Each figure on a small dataset whose answers were worked out by hand; filters; the cases
behind a figure; who may see the dashboard; the query count."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from amends.cases.choices import Channel, Decision, ResolutionType
from amends.cases.models import Category
from amends.cases.services import lifecycle
from amends.core import clock
from amends.reports.filters import ReportFilters, filters_from
from amends.reports.histogram import bucket_estimate, bucket_of
from amends.reports.presenters import charts
from amends.reports.selectors import cases_behind, dashboard, week_start
from amends.sla.models import Commitment, FollowUp, FollowUpStatus
from amends.sla.services.commitments import commitment_mark_done
from amends.sla.services.followups import followup_answer
from amends.sla.sweeper import sla_sweep

ZONE = ZoneInfo("Asia/Jerusalem")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 2, day, hour, minute, tzinfo=ZONE)


PERIOD = ReportFilters(start=date(2026, 2, 1), end=date(2026, 2, 28), period="custom")


@pytest.fixture
def world(make_case, agent, other_agent, lead):
    """Four complaints on Sunday 8 February 2026 (working hours 08:00–17:00):

    A web/en, cause X: reply 09:30 (first response 30 min), resolved 11:00, upheld, 10 ILS.
    B email/he, cause X, vulnerable: reply 11:00 (2 h), resolved 13:00 (4 h), reopened 14:00,
      resolved again 15:00 not upheld.
    C phone/ar, cause Y: question 10:00 (1 h) with no answer yet; a promise kept.
    D web/he, no cause: reply 09:30 (30 min) with a promise for 12:00, broken.
    Satisfaction: A solved with 5; B solved with 2 (dissatisfied).
    """
    x, y = Category.objects.all()[:2]
    clock.freeze(at(8, 9))
    a = make_case(channel=Channel.WEB, language="en", email="a@example.com", category=x, subject="A")
    b = make_case(
        channel=Channel.EMAIL, language="he", email="b@example.com", category=x, vulnerable=True, subject="B"
    )
    c = make_case(channel=Channel.PHONE, language="ar", email="c@example.com", category=y, subject="C")
    d = make_case(channel=Channel.WEB, language="he", email="d@example.com", subject='=HYPERLINK("x")')
    clock.freeze(at(8, 9, 30))
    lifecycle.case_reply(case=a, actor=agent, body="Looking.")
    lifecycle.case_reply(case=d, actor=other_agent, body="Looking.", promise_due=at(8, 12))
    clock.freeze(at(8, 10))
    lifecycle.case_ask(case=c, actor=agent, body="Which order?")
    lifecycle.case_reply(case=c, actor=agent, body="Checking.", promise_due=at(8, 16))
    clock.freeze(at(8, 11))
    lifecycle.case_reply(case=b, actor=agent, body="Looking.")
    resolve = {"actor": agent, "resolution_type": ResolutionType.REFUND, "summary": "Done."}
    lifecycle.case_resolve(
        case=a, decision=Decision.UPHELD, redress_amount=Decimal("10"), redress_currency="ILS", **resolve
    )
    commitment_mark_done(commitment=Commitment.objects.get(case=c), actor=agent)
    clock.freeze(at(8, 13))
    sla_sweep()  # D's promise (due 12:00) is broken
    lifecycle.case_resolve(case=b, decision=Decision.UPHELD, **resolve)
    clock.freeze(at(8, 14))
    lifecycle.case_reopen(case=b, actor=agent, reason="The customer called again.")
    clock.freeze(at(8, 15))
    lifecycle.case_resolve(case=b, decision=Decision.NOT_UPHELD, **resolve)
    clock.freeze(at(11, 9))  # two business days later: the satisfaction checks go out
    sla_sweep()
    clock.freeze(at(11, 10))
    for case, rating in ((a, 5), (b, 2)):
        check = FollowUp.objects.get(case=case, status=FollowUpStatus.SENT)
        followup_answer(followup=check, solved=True, rating=rating, comment="")
    yield {"a": a, "b": b, "c": c, "d": d, "x": x, "y": y}
    clock.freeze(None)


def test_every_figure_matches_the_hand_count(world):
    # when
    board = dashboard(PERIOD)
    f = board.figures
    # then
    assert (f["opened"].all, f["opened"].yes, f["opened"].no) == (4, 1, 3)
    assert f["per_thousand"].all == pytest.approx(1000.0)  # 4 complaints, 4 customers
    # first responses 30 min (A), 30 min (D), 1 h (C), 2 h (B): by nearest rank the median is
    # the 2nd and the 90th percentile the 4th
    assert f["fr_median"].all == bucket_estimate(bucket_of(1800))
    assert f["fr_p90"].all == bucket_estimate(bucket_of(7200))
    assert f["fr_median"].yes == bucket_estimate(bucket_of(7200))
    assert f["fr_count"].all == 4
    # resolutions: A 2 h, B 4 h (its first resolution's time stays)
    assert f["res_median"].all == bucket_estimate(bucket_of(7200))
    assert f["res_p90"].all == bucket_estimate(bucket_of(14400))
    assert f["res_median"].yes == bucket_estimate(bucket_of(14400))
    assert f["resolved"].all == 2
    assert f["sla_met"].all == 1.0
    assert f["promises_kept"].all == 0.5
    assert f["rating"].all == 3.5
    assert f["dissatisfied"].all == 0.5
    assert f["dissatisfied"].yes == 1.0
    assert f["reopened"].all == 1
    assert f["reopen_rate"].all == pytest.approx(1 / 3)  # one reopen, three resolve events
    assert f["uphold_rate"].all == 0.5  # A upheld, B (latest decision) not upheld
    assert board.redress == {"ILS": {"all": (1, 1000), "yes": (0, 0), "no": (1, 1000)}}
    assert [(b.key, b.counts["all"]) for b in board.pareto[:1]] == [(world["x"].pk, 2)]
    assert board.pareto[-1].cumulative == 1.0
    assert {b.key: b.counts["all"] for b in board.channels} == {"web": 2, "email": 1, "phone": 1}
    assert {b.key: (b.counts["yes"], b.counts["no"]) for b in board.languages} == {
        "he": (1, 1),
        "en": (0, 1),
        "ar": (0, 1),
    }
    week = next(w for w in board.weeks if w.counts["all"])
    assert (week.counts["all"], week.resolved["all"]) == (4, 2)


def test_filters_narrow_every_figure(world, agent):
    # when
    only_x = dashboard(
        filters_from({"from": "2026-02-01", "to": "2026-02-28", "category": str(world["x"].pk)})
    )
    vulnerable = dashboard(filters_from({"from": "2026-02-01", "to": "2026-02-28", "vulnerable": "yes"}))
    web_he = dashboard(
        filters_from({"from": "2026-02-01", "to": "2026-02-28", "channel": "web", "language": "he"})
    )
    by_agent = dashboard(filters_from({"from": "2026-02-01", "to": "2026-02-28", "agent": str(agent.pk)}))
    before = dashboard(filters_from({"from": "2026-01-01", "to": "2026-01-31"}))
    # then
    assert only_x.figures["opened"].all == 2
    assert only_x.figures["resolved"].all == 2
    assert [b.key for b in only_x.channels] in (["web", "email"], ["email", "web"])
    assert vulnerable.figures["opened"].all == 1
    assert vulnerable.figures["uphold_rate"].all == 0.0
    assert web_he.figures["opened"].all == 1  # D
    assert web_he.figures["promises_kept"].all == 0.0
    assert by_agent.figures["opened"].all == 3  # A, B and C are Dana's
    assert before.figures["opened"].all == 0
    assert before.figures["fr_median"].all is None


def test_bad_filters_are_reported_and_left_out():
    # when
    with translation.override("en"):
        filters = filters_from(
            {"from": "yesterday", "channel": "pigeon", "team": "x"}, today_=date(2026, 3, 1)
        )
    # then
    assert filters.start == date(2026, 3, 1) - timedelta(days=83)
    assert filters.channel is None and filters.team is None
    assert len(filters.errors) == 3


def test_each_figure_drills_down_to_its_cases(world, lead):
    def refs(figure, **kwargs):
        return sorted(c.subject for c in cases_behind(user=lead, filters=PERIOD, figure=figure, **kwargs))

    assert refs("opened") == sorted(["A", "B", "C", '=HYPERLINK("x")'])
    assert refs("responded") == sorted(["A", "B", "C", '=HYPERLINK("x")'])
    assert refs("resolved") == ["A", "B"]
    assert refs("upheld") == ["A"]
    assert refs("not_upheld") == ["B"]
    assert refs("redress") == ["A"]
    assert refs("reopened") == ["B"]
    assert refs("promises_kept") == ["C"]
    assert refs("promises_broken") == ['=HYPERLINK("x")']
    assert refs("dissatisfied") == ["B"]
    assert refs("opened", by="category", value=str(world["x"].pk)) == ["A", "B"]
    assert refs("opened", by="category", value="0") == ['=HYPERLINK("x")']
    assert refs("opened", by="channel", value="phone") == ["C"]
    first = week_start(date(2026, 2, 8), 0)
    assert refs("opened", by="week", value=first.isoformat()) == sorted(["A", "B", "C", '=HYPERLINK("x")'])


def test_the_case_list_respects_what_the_user_may_see(world, agent, other_agent, make_agent, team):
    """cases_behind starts from cases_visible_to: an agent of another team does not get the
    case that moved into Dana's team."""
    from amends.accounts.services import team_create

    outsider = make_agent("Out Sider")
    outsider.teams.set([team_create(name="Elsewhere", slug="elsewhere")])
    lifecycle.case_transfer(
        case=world["c"],
        to_owner=other_agent,
        actor=agent,
        summary="Moving it to the care team now.",
        to_team=team,
    )
    # when
    seen = sorted(c.subject for c in cases_behind(user=outsider, filters=PERIOD, figure="opened"))
    # then
    assert seen == sorted(["A", "B", '=HYPERLINK("x")'])


def test_rtl_languages_get_mirrored_charts(world):
    with translation.override("he"):
        assert charts(dashboard(PERIOD))["pareto"]["rtl"] is True
    with translation.override("ru"):
        assert charts(dashboard(PERIOD))["pareto"]["rtl"] is False


@pytest.mark.parametrize(("role", "expected"), [("agent", 403), ("lead", 200), ("admin_user", 200)])
def test_only_leads_and_admins_see_the_dashboard(request, world, role, expected):
    client = Client()
    client.force_login(request.getfixturevalue(role))
    for name in ("desk:reports:dashboard", "desk:reports:monthly", "desk:reports:cases"):
        assert client.get(reverse(name)).status_code == expected, name


def test_the_dashboard_page_shows_figures_and_chart_data(world, lead):
    client = Client()
    client.force_login(lead)
    # when
    response = client.get(reverse("desk:reports:dashboard"), {"from": "2026-02-01", "to": "2026-02-28"})
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="chart-pareto" type="application/json"' in html
    assert "figure=sla_missed" in html
    assert "vendor/chartjs/chart.umd.min.js" in html


def test_the_dashboard_costs_the_same_queries_whatever_the_case_count(
    world, lead, make_case, django_assert_num_queries
):
    client = Client()
    client.force_login(lead)
    url = reverse("desk:reports:dashboard")
    params = {"from": "2026-02-01", "to": "2026-02-28"}
    client.get(url, params)  # warm the caches (session, customers count)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url, params)
    clock.freeze(at(9, 9))
    for n in range(12):
        make_case(email=f"more{n}@example.com")
    with CaptureQueriesContext(connection) as many:
        client.get(url, {**params, "team": "1", "channel": "web"})
    with CaptureQueriesContext(connection) as many_unfiltered:
        client.get(url, params)
    # then
    assert len(few) <= 20
    assert len(many_unfiltered) == len(few)
    assert len(many) == len(few)
