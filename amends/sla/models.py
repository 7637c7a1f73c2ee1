"""Promises and time: calendars, SLA policies, regulated regimes, the clocks on each case,
commitments agents make, escalations and the follow-up after resolution.

Every row that can come due carries an indexed ``next_check_at``; the sweeper
(sla/sweeper.py) reads only rows whose ``next_check_at`` has passed, so its cost grows with
what is due, not with what exists (docs/subsystems/sla.md).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class Calendar(models.Model):
    """When a team is at work: time zone, weekly hours, public holidays, eves and closures."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Jerusalem")
    country = models.CharField(
        _("country for public holidays"),
        max_length=2,
        blank=True,
        help_text=_("Two-letter code, e.g. IL, SA, AE, RU, GB, US. Leave empty for no public holidays."),
    )
    subdivision = models.CharField(
        _("region"), max_length=10, blank=True, help_text=_("Optional, e.g. NY for the United States.")
    )
    eve_hours = models.CharField(
        _("hours on the eve of a holiday"),
        max_length=40,
        blank=True,
        help_text=_(
            "E.g. 08:00-13:00. The day before a public holiday closes at this time; empty: no half-days."
        ),
    )
    is_default = models.BooleanField(
        _("default calendar"), default=False, help_text=_("Used for teams and policies without their own.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar"
            )
        ]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Closure(models.Model):
    """Days the office is closed beyond public holidays (a stock-take, a company day off)."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="closures")
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    label = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        ordering = ["first_day"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")

    def __str__(self) -> str:
        return f"{self.first_day}–{self.last_day}"


class Policy(models.Model):
    """Response and resolution targets in business time. The first active policy (by position)
    whose conditions all match a case applies to it; an empty condition matches anything."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    priority = models.CharField(_("priority"), max_length=10, blank=True)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    category = models.ForeignKey(
        "cases.Category", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("cause category")
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("team")
    )
    calendar = models.ForeignKey(
        Calendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("calendar"),
        help_text=_("Empty: the team's calendar, else the default calendar."),
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (business minutes)"), null=True, blank=True
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response within (business minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (business minutes)"), null=True, blank=True
    )
    pause_when_waiting = models.BooleanField(_("pause while waiting for the customer"), default=True)
    warn_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("warn at (% of the target)"),
        default=80,
        help_text=_("The clock turns amber at this share."),
    )
    reminder_minutes = models.PositiveIntegerField(
        _("remind the owner (business minutes before due)"), null=True, blank=True
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class Regime(models.Model):
    """A regulator's complaint-handling rules: clocks nobody may pause or reset."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    source = models.TextField(_("source"), help_text=_("The rule text and where it is published."))
    is_active = models.BooleanField(_("applies to new complaints"), default=False)
    alert_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("alert at (% of the time)"),
        default=80,
    )
    calendar = models.ForeignKey(
        Calendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("calendar"),
        help_text=_("For business days. Empty: the default calendar."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("complaint regime")
        verbose_name_plural = _("complaint regimes")

    def __str__(self) -> str:
        return self.name


class Unit(models.TextChoices):
    HOURS = "hours", _("hours")
    CALENDAR_DAYS = "days", _("calendar days")
    BUSINESS_DAYS = "business_days", _("business days")
    WEEKS = "weeks", _("weeks")


class MetBy(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("the first response (acknowledgement)")
    RESOLUTION = "resolution", _("the final response (resolution)")


class AfterHours(models.TextChoices):
    AS_RECEIVED = "as_received", _("counts from the moment it arrived")
    NEXT_BUSINESS_DAY = "next_business_day", _("counts from the next business day")


class RegimeClock(models.Model):
    regime = models.ForeignKey(Regime, on_delete=models.CASCADE, related_name="clocks")
    name = models.CharField(_("name"), max_length=120)
    amount = models.PositiveSmallIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=14, choices=Unit.choices)
    met_by = models.CharField(_("met by"), max_length=16, choices=MetBy.choices)
    after_hours = models.CharField(
        _("a complaint received out of hours"),
        max_length=20,
        choices=AfterHours.choices,
        default=AfterHours.AS_RECEIVED,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_window = models.BooleanField(
        _("a window, not a deadline"),
        default=False,
        help_text=_(
            "Passing it is not a breach: it only ends an easier path "
            "(e.g. the FCA's summary resolution communication within three business days)."
        ),
    )

    class Meta:
        ordering = ["regime", "id"]
        verbose_name = _("regulated clock")
        verbose_name_plural = _("regulated clocks")

    def __str__(self) -> str:
        return self.name


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", pgettext_lazy("clock", "First response")
    NEXT_RESPONSE = "next_response", pgettext_lazy("clock", "Next response")
    RESOLUTION = "resolution", pgettext_lazy("clock", "Resolution")
    REGULATED = "regulated", pgettext_lazy("clock", "Regulated")


class ClockState(models.TextChoices):
    RUNNING = "running", pgettext_lazy("clock", "Running")
    PAUSED = "paused", pgettext_lazy("clock", "Paused")
    MET = "met", pgettext_lazy("clock", "Met")
    MISSED = "missed", pgettext_lazy("clock", "Missed")
    CANCELLED = "cancelled", pgettext_lazy("clock", "Stopped")


ACTIVE_CLOCK_STATES = (ClockState.RUNNING, ClockState.PAUSED)


class CaseClock(models.Model):
    """One target on one case. Business time used is ``consumed_seconds`` plus the time since
    ``segment_started_at`` (the last start or resume); a paused clock has no ``due_at``."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(max_length=16, choices=ClockKind.choices)
    label = models.CharField(max_length=120)  # regime clock name, kept if the regime is edited
    policy = models.ForeignKey(Policy, null=True, blank=True, on_delete=models.SET_NULL)
    regime_clock = models.ForeignKey(RegimeClock, null=True, blank=True, on_delete=models.SET_NULL)
    met_by = models.CharField(max_length=16, blank=True)
    is_window = models.BooleanField(default=False)  # RegimeClock.is_window: never a breach
    calendar = models.ForeignKey(Calendar, null=True, blank=True, on_delete=models.SET_NULL)
    business_time = models.BooleanField(default=True)  # False: wall-clock time (regulated days)
    pausable = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    target_seconds = models.PositiveIntegerField()
    warn_percent = models.PositiveSmallIntegerField(default=80)
    started_at = models.DateTimeField()
    segment_started_at = models.DateTimeField()
    consumed_seconds = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    # The highest share of the target (percent) whose escalations have fired.
    escalated_percent = models.PositiveSmallIntegerField(default=0)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["next_check_at"], name="clock_next_check", condition=Q(next_check_at__isnull=False)
            ),
            models.Index(fields=["case", "kind"], name="clock_case_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"

    @property
    def reminder_minutes(self) -> int | None:
        return self.policy.reminder_minutes if self.policy_id else None


class CommitmentStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("promise", "Open")
    KEPT = "kept", pgettext_lazy("promise", "Kept")
    BROKEN = "broken", pgettext_lazy("promise", "Broken")
    CANCELLED = "cancelled", pgettext_lazy("promise", "Withdrawn")


class Commitment(models.Model):
    """A promise to the customer: "I will update you by …" (R-TI-2)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="commitments")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commitments")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL)
    message = models.ForeignKey("cases.Message", null=True, blank=True, on_delete=models.SET_NULL)
    description = models.CharField(max_length=300, blank=True)
    due_at = models.DateTimeField()
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN)
    times_moved = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="commitment_next_check",
                condition=Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["owner", "status"], name="commitment_owner_status"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} by {self.due_at:%Y-%m-%d %H:%M}"


class Recipient(models.TextChoices):
    OWNER = "owner", _("the case owner")
    LEAD = "lead", _("the team lead")
    MANAGER = "manager", _("a manager")


class EscalationRule(models.Model):
    """At ``percent`` of a clock's target (100 = breach), tell ``recipient``."""

    clock_kind = models.CharField(
        _("clock"), max_length=16, choices=ClockKind.choices, blank=True, help_text=_("Empty: every clock.")
    )
    percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("at (% of the target)"),
        help_text=_("100 is the breach."),
    )
    recipient = models.CharField(_("tell"), max_length=10, choices=Recipient.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["percent", "recipient"]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")

    def __str__(self) -> str:
        return f"{self.clock_kind or '*'} {self.percent}% → {self.recipient}"


class EscalationReason(models.TextChoices):
    CLOCK_WARNING = "clock_warning", _("A deadline is near")
    CLOCK_BREACH = "clock_breach", _("A deadline was missed")
    PROMISE_BROKEN = "promise_broken", _("A promise to the customer was broken")
    MANAGER_REQUESTED = "manager_requested", _("The customer asked for a manager")
    # Raised by the insight action rules from what the customer wrote (amends.insight.analysis).
    CUSTOMER_WORDS = "customer_words", _("What the customer wrote needs a lead")
    SENIOR_NEEDED = "senior_needed", _("Abusive customer: a senior agent should take it")


class Escalation(models.Model):
    """Someone was told that a case needs attention; leads see the open ones."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="escalations")
    clock = models.ForeignKey(CaseClock, null=True, blank=True, on_delete=models.SET_NULL)
    commitment = models.ForeignKey(Commitment, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.CharField(max_length=20, choices=EscalationReason.choices)
    recipient = models.CharField(max_length=10, choices=Recipient.choices)
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)  # the mails went (sla.tasks)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["-created_at"], name="escalation_open", condition=Q(handled_at__isnull=True)
            ),
            models.Index(fields=["case", "created_at"], name="escalation_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.reason}"


class FollowUpStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("No answer")
    CANCELLED = "cancelled", _("Cancelled")


class FollowUp(models.Model):
    """The satisfaction check after resolution (R-RE-2): solved or not, a rating, a comment."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="followups")
    status = models.CharField(max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.SCHEDULED)
    send_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    solved = models.BooleanField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-send_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_check_at"], name="followup_next_check", condition=Q(next_check_at__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="followup_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.status}"
