"""Each figure on a small dataset whose answers were worked out by hand; filters; the cases
behind a figure; who may see the dashboard; the query count."""

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import translation

from amends.cases.services import lifecycle
from amends.core import clock
from amends.reports.filters import filters_from
from amends.reports.histogram import bucket_estimate, bucket_of
from amends.reports.presenters import charts
from amends.reports.selectors import cases_behind, dashboard, week_start
from amends.reports.tests.dataset import PERIOD, at


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
    assert len(many) <= len(few)  # filters never add queries (the charts may share one)


@pytest.mark.skipif(not apps.is_installed("amends.learning"), reason="the learning app records recurrences")
def test_recurrence_rate_counts_cases_linked_as_recurrences(world, lead):
    # given: A came back after its problem had been marked fixed
    problem_model = apps.get_model("learning", "Problem")
    link_model = apps.get_model("learning", "ProblemCase")
    now = clock.now()
    problem = problem_model.objects.create(title="Courier loses parcels", created_at=now, updated_at=now)
    link_model.objects.create(problem=problem, case=world["a"], linked_at=now, recurrence=True)
    # when
    board = dashboard(PERIOD)
    # then
    assert board.recurrence_available
    assert board.figures["recurrence_rate"].all == 0.25
    assert board.figures["recurrence_rate"].yes == 0.0
    assert [c.subject for c in cases_behind(user=lead, filters=PERIOD, figure="recurrences")] == ["A"]
