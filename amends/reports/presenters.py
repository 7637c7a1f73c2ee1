"""Turn a Dashboard into what the pages show: formatted figures with the link to the cases
behind each, chart data for reports.js, and plain tables for the exports."""

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils import formats
from django.utils.http import urlencode
from django.utils.translation import get_language_bidi, pgettext
from django.utils.translation import gettext as _

from amends.reports.filters import ReportFilters
from amends.reports.selectors import SPLITS, Bar, Dashboard


def cases_link(filters: ReportFilters, figure: str, split: str = "all", by: str = "", value="") -> str:
    return Links(filters)(figure, split, by, value)


class Links:
    """Links to the cases behind a figure: the path and each split's filters are encoded once
    (a dashboard has hundreds of links)."""

    def __init__(self, filters: ReportFilters) -> None:
        self.base = reverse("desk:reports:cases")
        self.queries = {
            split: (filters if split == "all" else filters.with_vulnerable(split == "yes")).query()
            for split in SPLITS
        }

    def __call__(self, figure: str, split: str = "all", by: str = "", value="") -> str:
        extra = {"figure": figure, "by": by, "value": str(value) if value not in (None, "") else ""}
        return f"{self.base}?{self.queries[split]}&{urlencode({k: v for k, v in extra.items() if v})}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(minutes)s min") % {"minutes": max(minutes, 1) if seconds >= 30 else 0}
    hours, rest = divmod(minutes, 60)
    if hours < 100:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    return _("%(hours)s h") % {"hours": formats.number_format(hours, force_grouping=True)}


def percent(share: float | None) -> str:
    if share is None:
        return "—"
    return _("%(value)s %%") % {"value": formats.number_format(share * 100, 1)}


def number(value, digits: int = 0) -> str:
    if value is None:
        return "—"
    return formats.number_format(value, digits, force_grouping=True)


def money(cents: int) -> str:
    return formats.number_format(Decimal(cents) / 100, 2, force_grouping=True)


@dataclass
class FigureRow:
    name: str
    label: str
    cells: list[tuple[str, str | None]]  # (text, link) per split
    note: str = ""


def figure_rows(board: Dashboard, links: Links | None = None) -> list[FigureRow]:
    f, filters = board.figures, board.filters
    links = links or Links(filters)

    def row(name, label, show, figure=None, note=""):
        cells = []
        for split in SPLITS:
            text = show(split)
            link = links(figure, split) if figure and text != "—" else None
            cells.append((text, link))
        return FigureRow(name=name, label=label, cells=cells, note=note)

    rows = [
        row("opened", _("Complaints received"), lambda s: number(f["opened"][s]), "opened"),
        row(
            "per_thousand",
            _("Complaints per 1,000 customers"),
            lambda s: number(f["per_thousand"][s], 2) if s == "all" else "—",
            "opened",
            note=_("%(count)s customers on record") % {"count": number(board.customers)},
        ),
        row("fr_median", _("First response, median"), lambda s: duration(f["fr_median"][s]), "responded"),
        row("fr_p90", _("First response, 90th percentile"), lambda s: duration(f["fr_p90"][s]), "responded"),
        row("res_median", _("Resolution time, median"), lambda s: duration(f["res_median"][s]), "resolved"),
        row(
            "res_p90", _("Resolution time, 90th percentile"), lambda s: duration(f["res_p90"][s]), "resolved"
        ),
        row("resolved", _("Complaints resolved"), lambda s: number(f["resolved"][s]), "resolved"),
        row(
            "sla_met",
            _("SLA met"),
            lambda s: percent(f["sla_met"][s]),
            "sla_missed",
            note=_("the link lists the resolved cases that missed a target"),
        ),
        row(
            "promises_kept",
            _("Promises kept"),
            lambda s: percent(f["promises_kept"][s]),
            "promises_broken",
            note=_("the link lists the cases with a broken promise"),
        ),
        row("rating", _("Satisfaction (mean rating of 5)"), lambda s: number(f["rating"][s], 2), "answers"),
        row(
            "dissatisfied",
            _("Dissatisfied after resolution"),
            lambda s: percent(f["dissatisfied"][s]),
            "dissatisfied",
        ),
        row("reopen_rate", _("Reopen rate"), lambda s: percent(f["reopen_rate"][s]), "reopened"),
        row(
            "recurrence_rate",
            _("Recurrence rate"),
            lambda s: percent(f["recurrence_rate"][s]),
            "recurrences",
            note="" if board.recurrence_available else _("not measured yet: problems are not recorded"),
        ),
        row("uphold_rate", _("Uphold rate"), lambda s: percent(f["uphold_rate"][s]), "upheld"),
    ]
    for currency, amounts in board.redress.items():
        rows.append(
            row(
                f"redress_{currency}",
                _("Redress paid (%(currency)s)") % {"currency": currency or "—"},
                lambda s, a=amounts: money(a[s][1]) if a[s][0] else "—",
                "redress",
            )
        )
    return rows


def _bar_table(bars: list[Bar], links: Links, figure: str, by: str, pareto: bool) -> list[dict]:
    rows = []
    for bar in bars:
        value = bar.key.isoformat() if hasattr(bar.key, "isoformat") else bar.key
        cells = [(number(bar.counts[s]), links(figure, s, by, value)) for s in SPLITS]
        item = {"label": bar.label, "cells": cells}
        if pareto:
            item["cumulative"] = percent(bar.cumulative)
        if bar.resolved is not None:
            item["resolved"] = (
                number(bar.resolved["all"]),
                links("resolved", "all", by, value),
            )
        rows.append(item)
    return rows


def tables(board: Dashboard, rows: list[FigureRow] | None = None) -> dict[str, dict]:
    """Every table on the dashboard: headings, rows with links, and the same as plain values for
    the exports."""
    links = Links(board.filters)
    split_heads = [_("All"), _("Vulnerable"), _("Others")]
    out = {
        "pareto": {
            "title": _("Causes of complaints received"),
            "head": [_("Cause category"), *split_heads, _("Cumulative share")],
            "rows": _bar_table(board.pareto, links, "opened", "category", True),
        },
        "root_causes": {
            "title": _("Root causes of cases closed"),
            "head": [_("Root cause"), *split_heads, _("Cumulative share")],
            "rows": _bar_table(board.root_causes, links, "closed", "root_cause", True),
        },
        "weeks": {
            "title": _("Week by week"),
            "head": [pgettext("report", "Week from"), *split_heads, _("Resolved")],
            "rows": _bar_table(board.weeks, links, "opened", "week", False),
        },
        "channels": {
            "title": _("Complaints by channel"),
            "head": [_("Channel"), *split_heads],
            "rows": _bar_table(board.channels, links, "opened", "channel", False),
        },
        "languages": {
            "title": _("Complaints by language"),
            "head": [_("Language"), *split_heads],
            "rows": _bar_table(board.languages, links, "opened", "language", False),
        },
    }
    out["figures"] = {
        "title": _("Figures"),
        "head": [_("Figure"), *split_heads],
        "rows": [{"label": r.label, "cells": r.cells} for r in (rows or figure_rows(board, links))],
    }
    return out


def table_plain(table: dict) -> tuple[list[str], list[list]]:
    """A table's heading and rows as plain text for CSV/XLSX."""
    rows = []
    for row in table["rows"]:
        values = [row["label"], *(text for text, _link in row["cells"])]
        if "cumulative" in row:
            values.append(row["cumulative"])
        if "resolved" in row:
            values.append(row["resolved"][0])
        rows.append([str(v) for v in values])
    return [str(h) for h in table["head"]], rows


def charts(board: Dashboard) -> dict[str, dict]:
    """Data for reports.js: labels, datasets and the page direction (RTL charts mirror the
    x axis and put the value axis on the right)."""
    rtl = get_language_bidi()
    vulnerable, others = _("Vulnerable"), _("Others")

    def stacked(bars: list[Bar]) -> list[dict]:
        return [
            {"label": others, "data": [b.counts["no"] for b in bars], "kind": "bar"},
            {"label": vulnerable, "data": [b.counts["yes"] for b in bars], "kind": "bar"},
        ]

    def pareto(bars: list[Bar]) -> dict:
        return {
            "labels": [str(b.label) for b in bars],
            "datasets": [
                *stacked(bars),
                {
                    "label": _("Cumulative share"),
                    "data": [round((b.cumulative or 0) * 100, 1) for b in bars],
                    "kind": "line",
                    "axis": "percent",
                },
            ],
            "rtl": rtl,
            "percentLabel": _("Cumulative share (%)"),
        }

    return {
        "pareto": pareto(board.pareto),
        "root_causes": pareto(board.root_causes),
        "weeks": {
            "labels": [str(b.label) for b in board.weeks],
            "datasets": [
                *stacked(board.weeks),
                {
                    "label": _("Resolved"),
                    "data": [b.resolved["all"] for b in board.weeks],
                    "kind": "line",
                },
            ],
            "rtl": rtl,
        },
        "channels": {
            "labels": [str(b.label) for b in board.channels],
            "datasets": stacked(board.channels),
            "rtl": rtl,
        },
        "languages": {
            "labels": [str(b.label) for b in board.languages],
            "datasets": stacked(board.languages),
            "rtl": rtl,
        },
    }
