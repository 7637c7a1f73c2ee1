"""Starting data: a default calendar, SLA policies per priority, escalation rules, and the
regulators' complaint regimes (inactive: an admin switches on the ones that apply).

Used by migration sla.0002 and by tests whose database is flushed between tests. Plain data
and one function over models passed in, so it never imports the live models.
"""

from datetime import time

from django.utils.translation import gettext_noop as _

# Regime and clock names are data an admin may rename; the shipped ones are marked for the
# catalogue so the desk shows them translated (sla.selectors.clock_label).

DAY = 8 * 60  # one business day of the default calendar, in minutes

POLICIES = [
    # name, priority, first response, next response, resolution (business minutes)
    ("Urgent", "urgent", 60, 120, 1 * DAY),
    ("High", "high", 4 * 60, 4 * 60, 3 * DAY),
    ("Normal", "normal", 1 * DAY, 1 * DAY, 5 * DAY),
    ("Low", "low", 2 * DAY, 2 * DAY, 10 * DAY),
]

RULES = [(80, "owner"), (100, "owner"), (100, "lead"), (150, "manager")]

CHECK = "Check the current text before relying on it; the figures here are what Amends ships."

REGIMES = [
    (
        "uk-fca-disp",
        _("UK FCA DISP"),
        "FCA Handbook, DISP 1.6.2R: a final response within eight weeks of receipt. DISP 1.5: a "
        "complaint resolved by the close of the third business day after receipt may be closed "
        "with a summary resolution communication (DISP 1.5.4R). "
        "https://www.handbook.fca.org.uk/handbook/DISP/1/",
        "GB",
        [
            (
                _("Summary resolution window"),
                3,
                "business_days",
                "resolution",
                "as_received",
                "Resolved by then: a short summary resolution letter is enough (DISP 1.5.4R).",
                True,
            ),
            (_("Final response"), 8, "weeks", "resolution", "as_received", ""),
        ],
    ),
    (
        "us-cfpb",
        _("US CFPB"),
        "CFPB company portal: companies respond within 15 days; a complaint marked "
        '"in progress" gets its final response within 60 days. '
        "https://www.consumerfinance.gov/complaint/process/",
        "US",
        [
            (_("Company response"), 15, "days", "first_response", "as_received", ""),
            (_("Final response if in progress"), 60, "days", "resolution", "as_received", ""),
        ],
    ),
    (
        "au-asic-rg271",
        _("Australia ASIC RG 271"),
        "ASIC Regulatory Guide 271 (Internal dispute resolution), RG 271.49 and RG 271.55: "
        "acknowledge within one business day, an IDR response within 30 calendar days. "
        "https://asic.gov.au/regulatory-resources/find-a-document/regulatory-guides/rg-271-internal-dispute-resolution/",
        "AU",
        [
            (_("Acknowledgement"), 1, "business_days", "first_response", "next_business_day", ""),
            (_("IDR response"), 30, "days", "resolution", "as_received", ""),
        ],
    ),
    (
        "il-boi",
        _("Bank of Israel"),
        "Bank of Israel, Proper Conduct of Banking Business Directive 308A (handling public "
        "complaints): a reasoned answer within 45 days. https://www.boi.org.il/",
        "IL",
        [(_("Answer to the complainant"), 45, "days", "resolution", "as_received", "")],
    ),
    (
        "ae-cbuae",
        _("UAE Central Bank"),
        "Central Bank of the UAE, Consumer Protection Regulation and Standards: acknowledge a "
        "complaint within 2 business days and respond within 10 business days. "
        "https://rulebook.centralbank.ae/",
        "AE",
        [
            (_("Acknowledgement"), 2, "business_days", "first_response", "next_business_day", ""),
            (_("Response"), 10, "business_days", "resolution", "next_business_day", ""),
        ],
    ),
    (
        "bh-cbb",
        _("Bahrain CBB"),
        "Central Bank of Bahrain Rulebook, Volume 1, Module BC (Business Conduct), complaints "
        "handling: acknowledge within 5 business days, a final response within 20 business days. "
        "https://cbben.thomsonreuters.com/",
        "BH",
        [
            (_("Acknowledgement"), 5, "business_days", "first_response", "next_business_day", ""),
            (_("Final response"), 20, "business_days", "resolution", "next_business_day", ""),
        ],
    ),
]

# Weekends per country for the regimes' own calendars (business days count there).
WEEKS = {
    "GB": ([0, 1, 2, 3, 4], "Europe/London"),
    "US": ([0, 1, 2, 3, 4], "America/New_York"),
    "AU": ([0, 1, 2, 3, 4], "Australia/Sydney"),
    "IL": ([6, 0, 1, 2, 3], "Asia/Jerusalem"),
    "AE": ([0, 1, 2, 3, 4], "Asia/Dubai"),
    "BH": ([6, 0, 1, 2, 3], "Asia/Bahrain"),
}


def seed(get_model) -> None:
    """Create the presets. ``get_model`` is ``apps.get_model`` (a migration's historical models,
    or the live registry for tests that flush the database)."""
    Calendar = get_model("sla", "Calendar")
    WorkingHours = get_model("sla", "WorkingHours")
    Policy = get_model("sla", "Policy")
    EscalationRule = get_model("sla", "EscalationRule")
    Regime = get_model("sla", "Regime")
    RegimeClock = get_model("sla", "RegimeClock")

    office = Calendar.objects.create(
        name="Israel office",
        time_zone="Asia/Jerusalem",
        country="IL",
        eve_hours="08:00-13:00",
        is_default=True,
    )
    for day in (6, 0, 1, 2, 3):  # Sunday to Thursday
        WorkingHours.objects.create(calendar=office, weekday=day, opens=time(8), closes=time(17))
    WorkingHours.objects.create(calendar=office, weekday=4, opens=time(8), closes=time(13))  # Friday

    for position, (name, priority, first, nxt, resolution) in enumerate(POLICIES, start=1):
        Policy.objects.create(
            name=name,
            position=position * 10,
            priority=priority,
            first_response_minutes=first,
            next_response_minutes=nxt,
            resolution_minutes=resolution,
        )
    for percent, recipient in RULES:
        EscalationRule.objects.create(percent=percent, recipient=recipient)

    for code, name, source, country, clocks in REGIMES:
        days, zone = WEEKS[country]
        calendar = Calendar.objects.create(name=f"{name} business days", time_zone=zone, country=country)
        for day in days:
            WorkingHours.objects.create(calendar=calendar, weekday=day, opens=time(9), closes=time(17))
        regime = Regime.objects.create(code=code, name=name, source=f"{source}\n{CHECK}", calendar=calendar)
        for clock_name, amount, unit, met_by, after_hours, note, *window in clocks:
            RegimeClock.objects.create(
                is_window=bool(window and window[0]),
                regime=regime,
                name=clock_name,
                amount=amount,
                unit=unit,
                met_by=met_by,
                after_hours=after_hours,
                note=note,
            )
