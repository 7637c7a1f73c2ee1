"""Admin forms for calendars, policies, regimes and escalation rules.

The forms say what is wrong in words an administrator can act on; a calendar is then also
built as the clocks will build it, so a mistake the field checks miss is a form error, not a
500 on the next case.
"""

import re
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amends.cases.choices import Channel, Priority
from amends.sla.calendars import BusinessCalendar
from amends.sla.models import Calendar, Closure, EscalationRule, Policy, Regime, RegimeClock, WorkingHours
from amends.sla.schedule import hours_spec

EVE_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
TARGETS = ["first_response_minutes", "next_response_minutes", "resolution_minutes"]
MIDNIGHT = time(0)
# A warning or alert comes before the deadline; 100 % would be the deadline itself.
PERCENT_BELOW_DEADLINE = range(1, 100)
# Escalations can fire after the breach too (150 % = half as long again).
ESCALATION_PERCENT = range(1, 501)


def _eve_minutes(hours: str, minutes: str) -> int | None:
    """Minutes after midnight for "HH", "MM" (up to 24:00), or None when out of range."""
    total = int(hours) * 60 + int(minutes)
    return total if int(minutes) < 60 and total <= 24 * 60 else None


def _clock(value: time) -> str:
    return f"{value:%H:%M}"


class CalendarForm(forms.ModelForm):
    class Meta:
        model = Calendar
        fields = ["name", "time_zone", "country", "subdivision", "eve_hours", "is_default"]

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data["time_zone"].strip()
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValidationError(
                _(
                    "“%(zone)s” is not a time zone this server knows. "
                    "Use a name like Asia/Jerusalem or Europe/London."
                ),
                code="unknown_time_zone",
                params={"zone": zone},
            ) from None
        return zone

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if country and country not in holidays.list_supported_countries():
            raise ValidationError(
                _(
                    "“%(country)s” is not a country the public-holiday calendar knows. "
                    "Use a two-letter code such as IL, GB or US, or leave it empty."
                ),
                code="unknown_country",
                params={"country": country},
            )
        return country

    def clean_eve_hours(self) -> str:
        text = self.cleaned_data["eve_hours"].replace("–", "-").replace(" ", "")
        if not text:
            return ""
        match = EVE_HOURS.match(text)
        opens = closes = None
        if match:
            opens, closes = _eve_minutes(*match.group(1, 2)), _eve_minutes(*match.group(3, 4))
        if opens is None or closes is None:
            raise ValidationError(
                _("Write the hours on the eve of a holiday as opening and closing times, like 08:00-13:00."),
                code="eve_hours_format",
            )
        if closes <= opens:
            raise ValidationError(
                _("The hours on the eve of a holiday must close after they open, like 08:00-13:00."),
                code="eve_hours_order",
            )
        return text

    def clean(self):
        data = super().clean()
        self._check_region(data)
        if "country" in self.errors or "subdivision" in self.errors:
            # A field with an error keeps the calendar's old value, and an old country with a
            # new region (or the reverse) would fail the week's build check a second time.
            data["subdivision"] = ""
        if data.get("is_default"):
            taken = Calendar.objects.filter(is_default=True).exclude(pk=self.instance.pk).first()
            if taken is not None:
                self.add_error(
                    "is_default",
                    ValidationError(
                        _("“%(name)s” is already the default calendar. Untick it there first."),
                        code="default_taken",
                        params={"name": taken.name},
                    ),
                )
        return data

    def _check_region(self, data) -> None:
        """The region must be one the ``holidays`` package has for the country (any letter case)."""
        country, subdivision = data.get("country"), data.get("subdivision", "").strip()
        if "country" in self.errors or not subdivision:
            return
        if not country:
            self.add_error(
                "subdivision",
                ValidationError(
                    _("A region needs a country; choose the country first."), code="region_alone"
                ),
            )
            return
        regions = holidays.list_supported_countries()[country]
        known = {region.upper(): region for region in regions}
        if subdivision.upper() in known:
            data["subdivision"] = known[subdivision.upper()]
        elif regions:
            self.add_error(
                "subdivision",
                ValidationError(
                    _(
                        "“%(region)s” is not a region of %(country)s that the public-holiday calendar "
                        "knows. Known regions: %(regions)s."
                    ),
                    code="unknown_region",
                    params={"region": subdivision, "country": country, "regions": ", ".join(regions)},
                ),
            )
        else:
            self.add_error(
                "subdivision",
                ValidationError(
                    _("The public-holiday calendar has no regions for %(country)s; leave the region empty."),
                    code="no_regions",
                    params={"country": country},
                ),
            )


class WorkingHoursForm(forms.ModelForm):
    class Meta:
        model = WorkingHours
        fields = ["weekday", "opens", "closes"]

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens"), data.get("closes")
        if opens is not None and closes is not None and closes != MIDNIGHT and closes <= opens:
            self.add_error(
                "closes",
                ValidationError(
                    _(
                        "The closing time %(closes)s is not after the opening time %(opens)s. "
                        "Use 00:00 for midnight at the end of the day."
                    ),
                    code="closes_before_opens",
                    params={"opens": _clock(opens), "closes": _clock(closes)},
                ),
            )
        return data


class WorkingHoursFormSet(forms.BaseInlineFormSet):
    """The week as a whole: some hours, no two overlapping on one day, and a calendar that builds."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        rows = [
            form.instance for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not rows:
            raise ValidationError(
                _(
                    "Add working hours for at least one day: "
                    "a calendar without them never counts business time."
                ),
                code="no_hours",
            )
        overlaps = [
            ValidationError(
                _("On %(day)s the hours %(first)s and %(second)s overlap."),
                code="hours_overlap",
                params={
                    "day": first.get_weekday_display(),
                    "first": _interval(first),
                    "second": _interval(second),
                },
            )
            for first, second in _overlapping(rows)
        ]
        if overlaps:
            raise ValidationError(overlaps)
        _check_builds(self.instance, rows)


def _interval(row: WorkingHours) -> str:
    closes = "24:00" if row.closes == MIDNIGHT else _clock(row.closes)
    return f"{_clock(row.opens)}–{closes}"


def _end(row: WorkingHours) -> tuple[int, time]:
    """Sort key for a row's end; closing at 00:00 ends the day, after every other time."""
    return (1, MIDNIGHT) if row.closes == MIDNIGHT else (0, row.closes)


def _overlapping(rows: list[WorkingHours]) -> list[tuple[WorkingHours, WorkingHours]]:
    """Pairs of rows on the same weekday that share some time, in weekday and time order; each
    row is paired with the earlier row of its day that ends last (08–18 covers 09–10 and 11–12)."""
    found = []
    latest: WorkingHours | None = None
    for row in sorted(rows, key=lambda row: (row.weekday, row.opens, _end(row))):
        if latest is None or latest.weekday != row.weekday:
            latest = row
            continue
        if (0, row.opens) < _end(latest):
            found.append((latest, row))
        if _end(row) > _end(latest):
            latest = row
    return found


def _check_builds(calendar: Calendar, rows: list[WorkingHours]) -> None:
    """Build the calendar as sla.schedule.calendar_build does, from the rows being saved.

    Closures are left out: their one failure (ending before they start) is ClosureForm's check.
    """
    try:
        BusinessCalendar(
            time_zone=calendar.time_zone,
            hours=hours_spec(rows),
            country=calendar.country or None,
            subdivision=calendar.subdivision or None,
            eve_hours=[calendar.eve_hours] if calendar.eve_hours else None,
        )
    except ValueError as error:
        raise ValidationError(
            _("This calendar cannot be used for business time: %(reason)s."),
            code="calendar_invalid",
            params={"reason": str(error)},
        ) from None


class ClosureForm(forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["first_day", "last_day", "label"]

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error(
                "last_day",
                ValidationError(
                    _("The last day of a closure (%(last)s) cannot be before its first day (%(first)s)."),
                    code="closure_order",
                    params={"first": first, "last": last},
                ),
            )
        return data


class PolicyForm(forms.ModelForm):
    priority = forms.ChoiceField(
        label=_("priority"), choices=[("", _("any")), *Priority.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("channel"), choices=[("", _("any")), *Channel.choices], required=False
    )

    class Meta:
        model = Policy
        fields = [
            "name",
            "position",
            "is_active",
            "priority",
            "channel",
            "category",
            "team",
            "calendar",
            *TARGETS,
            "pause_when_waiting",
            "warn_percent",
            "reminder_minutes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("category", "team"):
            if name in self.fields:
                self.fields[name].empty_label = _("any")

    def clean_warn_percent(self) -> int:
        percent = self.cleaned_data["warn_percent"]
        if percent not in PERCENT_BELOW_DEADLINE:
            raise ValidationError(
                _("Warn at a share between 1 and 99 per cent of the target."), code="warn_percent_range"
            )
        return percent

    def clean(self):
        data = super().clean()
        targets = {name: data.get(name) for name in TARGETS if data.get(name) is not None}
        for name, minutes in targets.items():
            if minutes < 1:
                self.add_error(
                    name, ValidationError(_("A target must be at least one minute."), code="target_zero")
                )
        if not targets and not any(name in self.errors for name in TARGETS):
            raise ValidationError(
                _("Set at least one target: first response, next response or resolution."),
                code="no_target",
            )
        reminder = data.get("reminder_minutes")
        if reminder is not None and targets and reminder >= min(targets.values()):
            self.add_error(
                "reminder_minutes",
                ValidationError(
                    _(
                        "The reminder lead time (%(reminder)s minutes) must be shorter than every "
                        "target; the shortest target is %(target)s minutes."
                    ),
                    code="reminder_too_long",
                    params={"reminder": reminder, "target": min(targets.values())},
                ),
            )
        self._check_calendar(data)
        return data

    def _check_calendar(self, data) -> None:
        """Some calendar must count this policy's business time: its own, its team's or the default."""
        if "calendar" in self.errors or "team" in self.errors or data.get("calendar"):
            return
        team = data.get("team")
        if team is not None and team.calendar_id is not None:
            return
        if Calendar.objects.filter(is_default=True).exists():
            return
        if team is None:
            error = ValidationError(
                _(
                    "This policy has no calendar and no calendar is the default. "
                    "Pick a calendar here, or mark one calendar as the default."
                ),
                code="no_calendar",
            )
        else:
            error = ValidationError(
                _(
                    "This policy has no calendar, its team %(team)s has none and no calendar is the "
                    "default. Pick a calendar here, or mark one calendar as the default."
                ),
                code="no_calendar",
                params={"team": team.name},
            )
        self.add_error("calendar", error)


class RegimeForm(forms.ModelForm):
    class Meta:
        model = Regime
        fields = ["name", "code", "source", "is_active", "alert_percent", "calendar"]

    def clean_alert_percent(self) -> int:
        percent = self.cleaned_data["alert_percent"]
        if percent not in PERCENT_BELOW_DEADLINE:
            raise ValidationError(
                _("Alert at a share between 1 and 99 per cent of the time allowed."),
                code="alert_percent_range",
            )
        return percent


class RegimeClockForm(forms.ModelForm):
    class Meta:
        model = RegimeClock
        fields = ["name", "amount", "unit", "met_by", "after_hours", "note"]

    def clean_amount(self) -> int:
        amount = self.cleaned_data["amount"]
        if amount < 1:
            raise ValidationError(_("A regulated clock needs an amount of at least 1."), code="amount_zero")
        return amount


class EscalationRuleForm(forms.ModelForm):
    class Meta:
        model = EscalationRule
        fields = ["clock_kind", "percent", "recipient", "is_active"]

    def clean_percent(self) -> int:
        percent = self.cleaned_data["percent"]
        if percent not in ESCALATION_PERCENT:
            raise ValidationError(
                _("Escalate at a share between 1 and 500 per cent of the target (100 is the breach)."),
                code="percent_range",
            )
        return percent
