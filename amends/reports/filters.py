"""The dashboard's filters, read from a query string (the dashboard, the case list behind a
figure and the exports share them). Bad values are dropped with a message in the user's
language; the page then shows what it could understand."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from amends.cases.choices import Channel
from amends.core import clock

PERIODS = ("4w", "12w", "26w", "52w")
DEFAULT_PERIOD = "12w"
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
MAX_DAYS = 3 * 366  # a longer period is refused: nobody reads a daily rollup of a decade


def today() -> date:
    return clock.now().astimezone(ZoneInfo(settings.TIME_ZONE)).date()


@dataclass(frozen=True)
class ReportFilters:
    start: date
    end: date  # inclusive
    period: str = DEFAULT_PERIOD  # a preset, "month" or "custom"
    team: int | None = None
    agent: int | None = None
    channel: str | None = None
    language: str | None = None
    category: int | None = None
    product: str | None = None
    vulnerable: bool | None = None  # None: everyone
    errors: tuple[str, ...] = field(default=(), compare=False)

    # Dimension filters as rollup columns (vulnerable is handled apart: it is the split).
    @property
    def dimensions(self) -> dict[str, object]:
        named = {
            "team": self.team,
            "agent": self.agent,
            "channel": self.channel,
            "language": self.language,
            "category": self.category,
            "product": self.product,
        }
        return {name: value for name, value in named.items() if value not in (None, "")}

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def moments(self) -> tuple[datetime, datetime]:
        """[from, to) as aware datetimes in the installation's time zone."""
        zone = ZoneInfo(settings.TIME_ZONE)
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )

    def query(self, **extra) -> str:
        """The query string that gives these filters back (plus `extra`), for links."""
        params: dict[str, object] = {}
        if self.period in PERIODS:
            params["period"] = self.period
        elif self.period == "month":
            params["month"] = self.start.strftime("%Y-%m")
        else:
            params["from"], params["to"] = self.start.isoformat(), self.end.isoformat()
        for name, value in self.dimensions.items():
            params[name] = value
        if self.vulnerable is not None:
            params["vulnerable"] = "yes" if self.vulnerable else "no"
        params.update({k: v for k, v in extra.items() if v not in (None, "")})
        return urlencode(params)

    def with_vulnerable(self, value: bool | None) -> "ReportFilters":
        return replace(self, vulnerable=value)


def _int(value: str) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def filters_from(params, *, today_: date | None = None) -> ReportFilters:
    """ReportFilters from GET parameters. Unknown or malformed values are left out, each with a
    message saying so."""
    errors: list[str] = []
    end_default = today_ or today()
    period = params.get("period", "") or DEFAULT_PERIOD
    start = end = None
    month = params.get("month", "").strip()
    if month:
        first = _date(f"{month}-01")
        if first is None:
            errors.append(_("The month must look like 2026-03."))
        else:
            period = "month"
            start = first
            end = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    elif params.get("from") or params.get("to"):
        start, end = _date(params.get("from", "")), _date(params.get("to", ""))
        if start is None or end is None:
            errors.append(_("Dates must look like 2026-03-31; the last 12 weeks are shown instead."))
            start = end = None
        elif end < start:
            errors.append(_("The period ends before it starts; the last 12 weeks are shown instead."))
            start = end = None
        elif (end - start).days + 1 > MAX_DAYS:
            errors.append(_("A period can be at most three years long; the last 12 weeks are shown instead."))
            start = end = None
        else:
            period = "custom"
    if start is None:
        if period not in PERIODS:
            if params.get("period"):
                errors.append(_("Unknown period; the last 12 weeks are shown instead."))
            period = DEFAULT_PERIOD
        weeks = int(period.rstrip("w"))
        end = end_default
        start = end - timedelta(days=weeks * 7 - 1)

    values: dict[str, object] = {}
    for name in ("team", "agent", "category"):
        raw = params.get(name, "")
        if raw:
            number = _int(raw)
            if number is None:
                errors.append(_("That filter value is not valid and was left out."))
            else:
                values[name] = number
    channel = params.get("channel", "")
    if channel:
        if channel in Channel.values:
            values["channel"] = channel
        else:
            errors.append(_("Unknown channel; the filter was left out."))
    language = params.get("language", "")
    if language:
        if language in LANGUAGE_CODES:
            values["language"] = language
        else:
            errors.append(_("Unknown language; the filter was left out."))
    product = params.get("product", "").strip()[:100]
    if product:
        values["product"] = product
    vulnerable = params.get("vulnerable", "")
    if vulnerable in ("yes", "no"):
        values["vulnerable"] = vulnerable == "yes"
    elif vulnerable not in ("", "all"):
        errors.append(_("That filter value is not valid and was left out."))
    return ReportFilters(start=start, end=end, period=period, errors=tuple(errors), **values)
