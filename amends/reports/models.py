"""The managers' dashboard reads daily counters kept up to date by the case and SLA services
(docs/subsystems/reports.md, ADR 0012).

Every rollup row is keyed by a *grouping* (which of the dimensions it keeps), a local day, the
vulnerability flag and the dimensions themselves. A dimension the grouping does not keep holds
its empty value (0 or ""); so does a case without that dimension (no team yet): the grouping
says which reading applies. Ids are plain integers, not foreign keys: 0 is "none", and a team
or category deleted later must not take its history with it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Grouping(models.IntegerChoices):
    """Which dimensions a rollup row keeps. Every event is counted once in each grouping, so
    the dashboard reads a few small rows when it filters on at most one dimension, and the
    FULL rows (every dimension) for any other combination."""

    TOTAL = 0, "total"
    TEAM = 1, "team"
    AGENT = 2, "agent"
    CHANNEL = 3, "channel"
    LANGUAGE = 4, "language"
    CATEGORY = 5, "category"
    ROOT_CAUSE = 6, "root_cause"
    PRODUCT = 7, "product"
    FULL = 8, "full"


# The key columns shared by the three rollup tables, in index order.
KEY_FIELDS = (
    "grouping",
    "day",
    "vulnerable",
    "team_id",
    "owner_id",
    "channel",
    "language",
    "category_id",
    "root_cause_id",
    "product",
)


class RollupKey(models.Model):
    grouping = models.PositiveSmallIntegerField(choices=Grouping.choices)
    day = models.DateField()  # local date (settings.TIME_ZONE) of the event counted
    vulnerable = models.BooleanField()
    team_id = models.BigIntegerField(default=0)
    owner_id = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=10, default="")
    language = models.CharField(max_length=8, default="")
    category_id = models.BigIntegerField(default=0)
    root_cause_id = models.BigIntegerField(default=0)
    product = models.CharField(max_length=100, default="")

    class Meta:
        abstract = True


# Counter columns of DailyCounts, in the order the services write them.
COUNTERS = (
    "opened",
    "responded",
    "resolved",
    "sla_met",
    "upheld",
    "partly_upheld",
    "not_upheld",
    "closed",
    "reopened",
    "resolutions",
    "promises_kept",
    "promises_broken",
    "answers",
    "answers_rated",
    "rating_sum",
    "dissatisfied",
)


class DailyCounts(RollupKey):
    """How many of each event happened on `day` to cases with these dimensions."""

    opened = models.IntegerField(default=0)  # cases received
    responded = models.IntegerField(default=0)  # first responses sent
    resolved = models.IntegerField(default=0)  # cases whose (latest) resolution fell on the day
    sla_met = models.IntegerField(default=0)  # … of them with no SLA target missed
    upheld = models.IntegerField(default=0)
    partly_upheld = models.IntegerField(default=0)
    not_upheld = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)  # reopen events
    resolutions = models.IntegerField(
        default=0
    )  # resolve events (a reopened case resolved again counts twice)
    promises_kept = models.IntegerField(default=0)
    promises_broken = models.IntegerField(default=0)
    answers = models.IntegerField(default=0)  # satisfaction checks answered
    answers_rated = models.IntegerField(default=0)
    rating_sum = models.IntegerField(default=0)
    dissatisfied = models.IntegerField(default=0)  # "not solved" or a rating of 1 or 2

    class Meta:
        constraints = [models.UniqueConstraint(fields=KEY_FIELDS, name="daily_counts_key")]

    def __str__(self) -> str:
        return f"{self.get_grouping_display()} {self.day}"


class TimeMeasure(models.TextChoices):
    FIRST_RESPONSE = "fr", _("First response")
    RESOLUTION = "res", _("Resolution")


class DailyTimes(RollupKey):
    """A histogram of business seconds (first response, resolution): `count` cases fell in
    `bucket` (amends.reports.histogram) on `day`."""

    measure = models.CharField(max_length=3, choices=TimeMeasure.choices)
    bucket = models.PositiveSmallIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=(*KEY_FIELDS, "measure", "bucket"), name="daily_times_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_grouping_display()} {self.day} {self.measure}[{self.bucket}]"


class DailyRedress(RollupKey):
    """Redress recorded on the cases resolved on `day`, per currency (in cents)."""

    currency = models.CharField(max_length=3)
    cases = models.IntegerField(default=0)
    amount_cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=(*KEY_FIELDS, "currency"), name="daily_redress_key")]

    def __str__(self) -> str:
        return f"{self.get_grouping_display()} {self.day} {self.currency}"


class CaseFacts(models.Model):
    """What one case adds to the rollups right now: the facts the rollup rows were made from.
    A service that changes the case diffs the new facts against these and writes only the
    difference, so a changed team or a reopened case moves its counts instead of adding them
    twice. No row: the case adds nothing yet."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="+")
    facts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"facts of case {self.case_id}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ReportExport(models.Model):
    """A case list written to a file by a background task, with its progress for the page."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=4, choices=ExportFormat.choices)
    query = models.JSONField(default=dict)  # the dashboard filters and the figure
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_total = models.IntegerField(null=True, blank=True)
    rows_done = models.IntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.format} export {self.public_id}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
