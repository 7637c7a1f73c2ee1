"""The SLA admin: what it refuses (with the message on the page, nothing saved), what it saves,
and that every list renders without a query per row."""

import html
from datetime import datetime, time
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.urls import reverse

from amends.accounts.models import Team
from amends.accounts.services import team_create
from amends.cases.choices import Decision, ResolutionType
from amends.cases.services import lifecycle
from amends.core import clock
from amends.sla.models import (
    Calendar,
    CaseClock,
    Commitment,
    Escalation,
    EscalationRule,
    FollowUp,
    Policy,
    Regime,
    RegimeClock,
    WorkingHours,
)
from amends.sla.services.escalations import case_manager_request

pytestmark = pytest.mark.django_db

JLM = ZoneInfo("Asia/Jerusalem")
MONDAY, SUNDAY = 0, 6


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def text(response) -> str:
    """The page as a reader sees it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


def management(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def calendar_post(*, hours=None, closures=(), **fields) -> dict:
    if hours is None:
        hours = [(day, "08:00", "17:00") for day in (SUNDAY, 0, 1, 2, 3)]
    data = {
        "name": "Riyadh office",
        "time_zone": "Asia/Riyadh",
        "country": "SA",
        "subdivision": "",
        "eve_hours": "",
        **fields,
    }
    data.update(management("hours", [{"weekday": str(day), "opens": o, "closes": c} for day, o, c in hours]))
    data.update(
        management("closures", [{"first_day": f, "last_day": last, "label": ""} for f, last in closures])
    )
    return data


def post_calendar(staff, **kwargs):
    return staff.post(reverse("admin:sla_calendar_add"), calendar_post(**kwargs))


# -- calendars --------------------------------------------------------------------------------


def test_a_valid_calendar_is_saved_with_its_hours_and_closures(staff):
    # given a week with a late shift that ends at midnight, and a closure
    hours = [
        (SUNDAY, "08:00", "12:00"),
        (SUNDAY, "13:00", "17:00"),
        (MONDAY, "08:00", "16:00"),
        (MONDAY, "16:00", "00:00"),  # touching is not overlapping
    ]
    # when
    response = post_calendar(
        staff, hours=hours, closures=[("2026-12-24", "2026-12-26")], country="us", subdivision="ny"
    )
    # then
    assert response.status_code == 302
    calendar = Calendar.objects.get(name="Riyadh office")
    assert (calendar.country, calendar.subdivision) == ("US", "NY")
    assert calendar.hours.count() == 4
    assert calendar.hours.get(weekday=MONDAY, opens=time(16)).closes == time(0)
    assert calendar.closures.get().last_day.isoformat() == "2026-12-26"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"time_zone": "Mars/Olympus_Mons"},
            "“Mars/Olympus_Mons” is not a time zone this server knows. "
            "Use a name like Asia/Jerusalem or Europe/London.",
        ),
        (
            {"country": "XX"},
            "“XX” is not a country the public-holiday calendar knows. "
            "Use a two-letter code such as IL, GB or US, or leave it empty.",
        ),
        (
            {"country": "GB", "subdivision": "XYZ"},
            "“XYZ” is not a region of GB that the public-holiday calendar knows. "
            "Known regions: ENG, NIR, SCT, WLS.",
        ),
        (
            {"country": "XX", "subdivision": "NY"},
            "“XX” is not a country the public-holiday calendar knows. "
            "Use a two-letter code such as IL, GB or US, or leave it empty.",
        ),
        ({"country": "", "subdivision": "NY"}, "A region needs a country; choose the country first."),
        (
            {"eve_hours": "8 to 1"},
            "Write the hours on the eve of a holiday as opening and closing times, like 08:00-13:00.",
        ),
        (
            {"eve_hours": "08:00-25:00"},
            "Write the hours on the eve of a holiday as opening and closing times, like 08:00-13:00.",
        ),
        (
            {"eve_hours": "13:00-08:00"},
            "The hours on the eve of a holiday must close after they open, like 08:00-13:00.",
        ),
        (
            {"is_default": "on"},
            "“Israel office” is already the default calendar. Untick it there first.",
        ),
    ],
)
def test_calendar_settings_are_checked(staff, fields, message):
    # when
    response = post_calendar(staff, **fields)
    # then the one message, not a second one from building the calendar
    assert response.status_code == 200
    assert message in text(response)
    assert "cannot be used for business time" not in text(response)
    assert not Calendar.objects.filter(name="Riyadh office").exists()


@pytest.mark.parametrize(
    ("hours", "closures", "message"),
    [
        (
            [(MONDAY, "17:00", "08:00")],
            [],
            "The closing time 08:00 is not after the opening time 17:00. "
            "Use 00:00 for midnight at the end of the day.",
        ),
        (
            [(MONDAY, "09:00", "09:00")],
            [],
            "The closing time 09:00 is not after the opening time 09:00. "
            "Use 00:00 for midnight at the end of the day.",
        ),
        (
            [(MONDAY, "08:00", "12:00"), (SUNDAY, "08:00", "17:00"), (MONDAY, "11:30", "14:00")],
            [],
            "On Monday the hours 08:00–12:00 and 11:30–14:00 overlap.",
        ),
        (
            [(MONDAY, "08:00", "18:00"), (MONDAY, "09:00", "10:00"), (MONDAY, "11:00", "12:00")],
            [],
            "On Monday the hours 08:00–18:00 and 11:00–12:00 overlap.",
        ),
        (
            [(MONDAY, "08:00", "17:00"), (MONDAY, "16:00", "00:00")],
            [],
            "On Monday the hours 08:00–17:00 and 16:00–24:00 overlap.",
        ),
        (
            [],
            [],
            "Add working hours for at least one day: a calendar without them never counts business time.",
        ),
        (
            None,
            [("2026-12-26", "2026-12-24")],
            "The last day of a closure (2026-12-24) cannot be before its first day (2026-12-26).",
        ),
    ],
)
def test_working_hours_and_closures_are_checked(staff, hours, closures, message):
    # when
    response = post_calendar(staff, hours=hours, closures=closures)
    # then
    assert response.status_code == 200
    assert message in text(response)
    assert not Calendar.objects.filter(name="Riyadh office").exists()
    assert not WorkingHours.objects.filter(calendar__name="Riyadh office").exists()


def test_a_calendar_that_cannot_be_built_is_a_form_error_not_a_crash(staff, monkeypatch):
    """Should the field checks let something through, building the calendar still catches it."""
    # given a country the field check accepts but the holidays package cannot provide
    supported = holidays.list_supported_countries()
    monkeypatch.setattr(holidays, "list_supported_countries", lambda: {**supported, "ZZ": []})
    # when
    response = post_calendar(staff, country="ZZ")
    # then
    assert response.status_code == 200
    assert "This calendar cannot be used for business time: the holidays package has no 'ZZ'" in text(
        response
    )
    assert not Calendar.objects.filter(name="Riyadh office").exists()


def test_the_preset_calendar_can_be_edited(staff):
    # given
    calendar = Calendar.objects.get(name="Israel office")
    url = reverse("admin:sla_calendar_change", args=[calendar.pk])
    assert staff.get(url).status_code == 200
    rows = list(calendar.hours.all())
    data = calendar_post(
        name=calendar.name, time_zone=calendar.time_zone, country="IL", eve_hours="08:00–12:00", hours=[]
    )
    data.update(
        {
            "hours-TOTAL_FORMS": str(len(rows)),
            "hours-INITIAL_FORMS": str(len(rows)),
            "is_default": "on",
        }
    )
    for i, row in enumerate(rows):
        data.update(
            {
                f"hours-{i}-id": str(row.pk),
                f"hours-{i}-calendar": str(calendar.pk),
                f"hours-{i}-weekday": str(row.weekday),
                f"hours-{i}-opens": f"{row.opens:%H:%M}",
                f"hours-{i}-closes": f"{row.closes:%H:%M}",
            }
        )
    data["hours-0-DELETE"] = "on"
    # when
    response = staff.post(url, data)
    # then
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.eve_hours == "08:00-12:00"
    assert calendar.is_default
    assert calendar.hours.count() == len(rows) - 1


def test_deleting_every_working_hours_row_is_refused(staff):
    # given
    calendar = Calendar.objects.get(name="Israel office")
    rows = list(calendar.hours.all())
    data = calendar_post(name=calendar.name, time_zone=calendar.time_zone, country="IL", hours=[])
    data.update({"hours-TOTAL_FORMS": str(len(rows)), "hours-INITIAL_FORMS": str(len(rows))})
    for i, row in enumerate(rows):
        data.update(
            {
                f"hours-{i}-id": str(row.pk),
                f"hours-{i}-calendar": str(calendar.pk),
                f"hours-{i}-weekday": str(row.weekday),
                f"hours-{i}-opens": f"{row.opens:%H:%M}",
                f"hours-{i}-closes": f"{row.closes:%H:%M}",
                f"hours-{i}-DELETE": "on",
            }
        )
    # when
    response = staff.post(reverse("admin:sla_calendar_change", args=[calendar.pk]), data)
    # then
    assert response.status_code == 200
    assert "Add working hours for at least one day" in text(response)
    assert calendar.hours.count() == len(rows)


def test_a_team_takes_a_calendar_in_its_admin(staff, team):
    # given
    calendar = Calendar.objects.get(name="Israel office")
    url = reverse("admin:accounts_team_change", args=[team.pk])
    assert 'name="calendar"' in staff.get(url).content.decode()
    # when
    response = staff.post(url, {"name": team.name, "slug": team.slug, "calendar": str(calendar.pk)})
    # then
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.calendar == calendar
    assert calendar.name in text(staff.get(reverse("admin:accounts_team_changelist")))


# -- policies ---------------------------------------------------------------------------------


def policy_post(**fields) -> dict:
    data = {
        "name": "VIP",
        "position": "5",
        "is_active": "on",
        "priority": "",
        "channel": "",
        "category": "",
        "team": "",
        "calendar": "",
        "first_response_minutes": "30",
        "next_response_minutes": "",
        "resolution_minutes": "",
        "pause_when_waiting": "on",
        "warn_percent": "80",
        "reminder_minutes": "",
    }
    data.update(fields)
    return data


def post_policy(staff, **fields):
    return staff.post(reverse("admin:sla_policy_add"), policy_post(**fields))


def test_a_valid_policy_is_saved(staff, team):
    # when
    response = post_policy(
        staff,
        priority="urgent",
        channel="phone",
        team=str(team.pk),
        resolution_minutes="480",
        reminder_minutes="15",
    )
    # then
    assert response.status_code == 302
    policy = Policy.objects.get(name="VIP")
    assert (policy.priority, policy.channel, policy.team) == ("urgent", "phone", team)
    assert (policy.first_response_minutes, policy.resolution_minutes) == (30, 480)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"first_response_minutes": ""},
            "Set at least one target: first response, next response or resolution.",
        ),
        ({"first_response_minutes": "0"}, "A target must be at least one minute."),
        ({"warn_percent": "0"}, "Warn at a share between 1 and 99 per cent of the target."),
        ({"warn_percent": "100"}, "Warn at a share between 1 and 99 per cent of the target."),
        (
            {"reminder_minutes": "45", "resolution_minutes": "600"},
            "The reminder lead time (45 minutes) must be shorter than every target; "
            "the shortest target is 30 minutes.",
        ),
        (
            {"reminder_minutes": "30"},
            "The reminder lead time (30 minutes) must be shorter than every target; "
            "the shortest target is 30 minutes.",
        ),
        ({"priority": "extreme"}, "Select a valid choice. extreme is not one of the available choices."),
    ],
)
def test_policy_settings_are_checked(staff, fields, message):
    # when
    response = post_policy(staff, **fields)
    # then
    assert response.status_code == 200
    assert message in text(response)
    assert not Policy.objects.filter(name="VIP").exists()


@pytest.fixture
def no_default_calendar(db):
    # No service writes calendars: the admin is their only editor.
    Calendar.objects.update(is_default=False)


def test_a_policy_with_no_calendar_to_count_in_is_refused(staff, no_default_calendar):
    # when
    response = post_policy(staff)
    # then
    assert response.status_code == 200
    assert (
        "This policy has no calendar and no calendar is the default. "
        "Pick a calendar here, or mark one calendar as the default." in text(response)
    )
    assert not Policy.objects.filter(name="VIP").exists()


def test_a_policy_whose_team_has_no_calendar_names_the_team(staff, team, no_default_calendar):
    # when
    response = post_policy(staff, team=str(team.pk))
    # then
    assert response.status_code == 200
    assert (
        "This policy has no calendar, its team Customer care has none and no calendar is the "
        "default. Pick a calendar here, or mark one calendar as the default." in text(response)
    )
    assert not Policy.objects.filter(name="VIP").exists()


def test_a_policy_may_count_in_its_own_or_its_teams_calendar(staff, team, no_default_calendar):
    # given
    calendar = Calendar.objects.get(name="Israel office")
    team.calendar = calendar
    team.save(update_fields=["calendar"])
    # when
    by_team = post_policy(staff, team=str(team.pk))
    by_own = post_policy(staff, name="Own calendar", calendar=str(calendar.pk))
    # then
    assert by_team.status_code == by_own.status_code == 302
    assert Policy.objects.filter(name__in=["VIP", "Own calendar"]).count() == 2


def test_the_policy_list_shows_order_conditions_and_targets(staff):
    # given
    post_policy(staff, first_response_minutes="90", next_response_minutes="45", channel="phone")
    # when
    response = staff.get(reverse("admin:sla_policy_changelist"))
    # then
    assert response.status_code == 200
    page = text(response)
    names = [policy.name for policy in response.context["cl"].result_list]
    assert names == ["VIP", "Urgent", "High", "Normal", "Low"]
    assert "Phone" in page and "any" in page
    assert "1 h 30 min" in page and "45 min" in page and "8 h" in page
    assert "Israel office" not in page  # the presets leave the calendar to the default
    add_page = text(staff.get(reverse("admin:sla_policy_add")))
    assert "The first active policy in this order whose conditions all match a case applies to it" in add_page


def test_policy_order_and_activity_are_edited_in_the_list(staff):
    # given
    policies = list(Policy.objects.order_by("position", "id"))
    data = {
        "form-TOTAL_FORMS": str(len(policies)),
        "form-INITIAL_FORMS": str(len(policies)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for i, policy in enumerate(policies):
        data[f"form-{i}-id"] = str(policy.pk)
        data[f"form-{i}-position"] = str(100 - i)  # reverse the order
        if policy.name != "Low":
            data[f"form-{i}-is_active"] = "on"
    # when
    response = staff.post(reverse("admin:sla_policy_changelist"), data)
    # then
    assert response.status_code == 302
    assert [p.name for p in Policy.objects.order_by("position")] == ["Low", "Normal", "High", "Urgent"]
    assert not Policy.objects.get(name="Low").is_active


# -- regimes ----------------------------------------------------------------------------------


def regime_post(*, clocks=None, **fields) -> dict:
    if clocks is None:
        clocks = [("Final response", "8", "weeks", "resolution")]
    data = {
        "name": "Test regulator",
        "code": "test-regulator",
        "source": "Rule 1.2: answer within eight weeks.\nhttps://example.org/rules",
        "is_active": "on",
        "alert_percent": "80",
        "calendar": "",
        **fields,
    }
    data.update(
        management(
            "clocks",
            [
                {
                    "name": name,
                    "amount": amount,
                    "unit": unit,
                    "met_by": met_by,
                    "after_hours": "as_received",
                    "note": "",
                }
                for name, amount, unit, met_by in clocks
            ],
        )
    )
    return data


def test_a_valid_regime_is_saved_with_its_clocks(staff):
    # when
    response = staff.post(reverse("admin:sla_regime_add"), regime_post())
    # then
    assert response.status_code == 302
    regime = Regime.objects.get(code="test-regulator")
    assert [(c.name, c.amount, c.unit) for c in regime.clocks.all()] == [("Final response", 8, "weeks")]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"alert_percent": "0"}, "Alert at a share between 1 and 99 per cent of the time allowed."),
        ({"alert_percent": "100"}, "Alert at a share between 1 and 99 per cent of the time allowed."),
        (
            {"clocks": [("Final response", "0", "weeks", "resolution")]},
            "A regulated clock needs an amount of at least 1.",
        ),
    ],
)
def test_regime_settings_are_checked(staff, fields, message):
    # when
    response = staff.post(reverse("admin:sla_regime_add"), regime_post(**fields))
    # then
    assert response.status_code == 200
    assert message in text(response)
    assert not Regime.objects.filter(code="test-regulator").exists()
    assert not RegimeClock.objects.filter(name="Final response", regime__code="test-regulator").exists()


def test_a_regime_shows_its_rule_text(staff):
    # given
    regime = Regime.objects.get(code="uk-fca-disp")
    # when
    change = staff.get(reverse("admin:sla_regime_change", args=[regime.pk])).content.decode()
    listing = staff.get(reverse("admin:sla_regime_changelist"))
    # then the text keeps its lines and its link
    assert "FCA Handbook, DISP 1.6.2R" in change
    assert "<br>Check the current text before relying on it" in change
    assert '<a href="https://www.handbook.fca.org.uk/handbook/DISP/1/"' in change
    # and the list shortens it and counts the clocks
    rows = {row.code: row for row in listing.context["cl"].result_list}
    assert rows["uk-fca-disp"].clock_count == 2
    assert "FCA Handbook, DISP 1.6.2R: a final response within eight weeks of receipt. DISP…" in text(listing)


# -- escalation rules -------------------------------------------------------------------------


@pytest.mark.parametrize("percent", ["0", "501"])
def test_an_escalation_rule_outside_1_to_500_percent_is_refused(staff, percent):
    # when
    response = staff.post(
        reverse("admin:sla_escalationrule_add"),
        {"clock_kind": "", "percent": percent, "recipient": "lead", "is_active": "on"},
    )
    # then
    assert response.status_code == 200
    assert "Escalate at a share between 1 and 500 per cent of the target (100 is the breach)." in text(
        response
    )
    assert EscalationRule.objects.count() == 4  # the presets


def test_a_valid_escalation_rule_is_saved(staff):
    # when
    response = staff.post(
        reverse("admin:sla_escalationrule_add"),
        {"clock_kind": "resolution", "percent": "500", "recipient": "manager", "is_active": "on"},
    )
    # then
    assert response.status_code == 302
    assert EscalationRule.objects.filter(clock_kind="resolution", percent=500).exists()
    assert "every clock" in text(staff.get(reverse("admin:sla_escalationrule_changelist")))


# -- lists ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    ["calendar", "policy", "regime", "escalationrule", "caseclock", "commitment", "escalation", "followup"],
)
def test_every_sla_list_renders(staff, model):
    assert staff.get(reverse(f"admin:sla_{model}_changelist")).status_code == 200


@pytest.fixture
def busy_desk(make_case, agent, db):
    """Cases with running clocks, promises, escalations and follow-ups."""
    clock.freeze(datetime(2026, 11, 29, 9, 0, tzinfo=JLM))  # Sunday morning
    for i in range(8):
        case = make_case(email=f"busy{i}@example.com")
        lifecycle.case_reply(
            case=case,
            actor=agent,
            body="We have asked the courier.",
            promise_due=datetime(2026, 11, 30, 12, 0, tzinfo=JLM),
        )
        case_manager_request(case=case, actor=agent, reason="Third call this week, wants the manager.")
        lifecycle.case_resolve(
            case=case,
            actor=agent,
            resolution_type=ResolutionType.REFUND,
            decision=Decision.UPHELD,
            summary="Refunded in full.",
        )
    assert CaseClock.objects.count() >= 8
    assert Commitment.objects.count() == Escalation.objects.count() == FollowUp.objects.count() == 8


@pytest.mark.parametrize(
    ("model", "queries"),
    [("caseclock", 8), ("commitment", 8), ("escalation", 8), ("followup", 8)],
)
def test_read_only_lists_do_not_query_per_row(
    staff, busy_desk, model, queries, django_assert_max_num_queries
):
    with django_assert_max_num_queries(queries):
        response = staff.get(reverse(f"admin:sla_{model}_changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 8


@pytest.mark.parametrize(
    ("model", "Model"),
    [
        ("caseclock", CaseClock),
        ("commitment", Commitment),
        ("escalation", Escalation),
        ("followup", FollowUp),
    ],
)
def test_read_only_rows_can_be_seen_but_not_added_changed_or_deleted(staff, busy_desk, model, Model):
    # given
    row = Model.objects.first()
    change_url = reverse(f"admin:sla_{model}_change", args=[row.pk])
    # then
    assert staff.get(reverse(f"admin:sla_{model}_add")).status_code == 403
    view = staff.get(change_url)
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    assert staff.post(change_url, {}).status_code == 403
    assert staff.post(reverse(f"admin:sla_{model}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert Model.objects.filter(pk=row.pk).exists()


def test_team_list_shows_calendars_without_a_query_per_team(staff, django_assert_max_num_queries):
    # given
    calendar = Calendar.objects.get(name="Israel office")
    for i in range(6):
        team_create(name=f"Team {i}", slug=f"team-{i}")
    Team.objects.update(calendar=calendar)  # no service sets a team's calendar: the admin does
    # then
    with django_assert_max_num_queries(6):
        assert staff.get(reverse("admin:accounts_team_changelist")).status_code == 200
