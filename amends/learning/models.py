import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amends.cases.choices import Channel


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FIXED = "fixed", _("Fixed")
    CLOSED = "closed", _("Closed")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigating")
    IDENTIFIED = "identified", _("Identified")
    FIXED = "fixed", _("Fixed")


ACTIVE_INCIDENT_STATUSES = (IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED)


class LinkHow(models.TextChoices):
    """How a case came to be linked to a problem or an incident."""

    BY_HAND = "by_hand", _("Linked by hand")
    FILTER = "filter", _("From a queue filter")
    SEARCH = "search", _("From a search")
    SIMILAR = "similar", _("Similar to a chosen case")
    MATCHED_SIMILAR = "matched_similar", _("Matched on arrival: similar text")
    MATCHED_KEYWORD = "matched_keyword", _("Matched on arrival: a keyword")


class Problem(models.Model):
    """A root cause behind complaints (R-LE-3): links any number of cases and carries the
    corrective actions that remove it. Once fixed, a new case like its cases is a recurrence."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    root_cause = models.ForeignKey(
        "cases.RootCause",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("root cause"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    # When it was last marked fixed: cases that arrive after it are recurrences.
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="problem_status")]

    def __str__(self) -> str:
        return self.title


class ProblemCase(models.Model):
    """A case linked to a problem: who linked it and when, and whether it is a recurrence
    (it arrived after the problem was marked fixed)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="links")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="problem_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField()
    how = models.CharField(max_length=16, choices=LinkHow.choices, default=LinkHow.BY_HAND)
    recurrence = models.BooleanField(_("recurrence"), default=False)
    # The estimated similarity that matched a recurrence (0..1); empty when linked by hand.
    similarity = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("case linked to a problem")
        verbose_name_plural = _("cases linked to problems")
        constraints = [models.UniqueConstraint(fields=["problem", "case"], name="problem_case_unique")]
        indexes = [models.Index(fields=["case"], name="problem_case_case")]

    def __str__(self) -> str:
        return f"{self.problem_id}:{self.case_id}"


class CorrectiveAction(models.Model):
    """One thing to do so the problem does not happen again, with an owner and a due date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("what to do"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrective_actions",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title


_KEYWORD_SPLIT = re.compile(r"[,\n;]+")


class Incident(models.Model):
    """A service interruption (R-LE-4): the cases it caused, what customers are told while it
    lasts, and the notice to every affected customer when it is fixed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    # What customers read. One text serves every language; a language with its own text gets it.
    public_text_en = models.TextField(_("public description (English)"), blank=True)
    public_text_he = models.TextField(_("public description (Hebrew)"), blank=True)
    public_text_ar = models.TextField(_("public description (Arabic)"), blank=True)
    public_text_ru = models.TextField(_("public description (Russian)"), blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=IncidentStatus.choices, default=IncidentStatus.INVESTIGATING
    )
    started_at = models.DateTimeField(_("started at"))
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    # What new complaints are matched on (besides similarity to the linked cases).
    product = models.CharField(_("product or service"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    keywords = models.TextField(
        _("keywords"), blank=True, help_text=_("One per line or separated by commas, in any language.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("owner"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status", "-started_at"], name="incident_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_INCIDENT_STATUSES

    def public_text(self, language: str) -> str:
        """The text for customers in `language`: its own, else the English one, else any."""
        own = getattr(self, f"public_text_{(language or 'en')[:2]}", "")
        texts = [own, self.public_text_en, self.public_text_he, self.public_text_ar, self.public_text_ru]
        return next((t.strip() for t in texts if t and t.strip()), "")

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in _KEYWORD_SPLIT.split(self.keywords or "") if k.strip()]


class IncidentCase(models.Model):
    """A case affected by an incident: how it was linked, and what its customer was told."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="incident_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField()
    how = models.CharField(max_length=16, choices=LinkHow.choices, default=LinkHow.BY_HAND)
    acknowledged_at = models.DateTimeField(null=True, blank=True)  # "we know about it" queued
    # The fixed notice was dealt with for this case (queued, or left out: the customer opted out).
    fixed_notice_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case affected by an incident")
        verbose_name_plural = _("cases affected by incidents")
        constraints = [models.UniqueConstraint(fields=["incident", "case"], name="incident_case_unique")]
        indexes = [
            models.Index(fields=["case"], name="incident_case_case"),
            # What the fixed notices still have to deal with, by customer.
            models.Index(
                fields=["incident", "case"],
                name="incident_case_untold",
                condition=Q(fixed_notice_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.case_id}"


class Screening(models.Model):
    """A new case checked against fixed problems and active incidents (services/screening.py),
    once its text has been fingerprinted. The row is the "done" mark."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="+")
    screened_at = models.DateTimeField()

    class Meta:
        verbose_name = _("screened case")
        verbose_name_plural = _("screened cases")
        indexes = [models.Index(fields=["screened_at"], name="screening_at")]

    def __str__(self) -> str:
        return f"screening of case {self.case_id}"


class ScreeningRun(models.Model):
    """One row, locked by the screening drain for each batch: two workers never screen the same
    case twice (which would link it twice and write to its customer twice)."""

    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"screening run {self.pk}"
