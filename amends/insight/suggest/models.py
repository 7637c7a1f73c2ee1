from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    OPEN = "open", _("not settled")
    CONFIRMED = "confirmed", _("confirmed")
    CORRECTED = "corrected", _("corrected")
    # An agent chose the category while no suggestion was shown (none yet, or too little text).
    LABELLED = "labelled", _("chosen without a suggestion")


class Suggestion(models.Model):
    """The suggested cause category of a case, and what the agent made of it
    (docs/subsystems/suggest.md). Written pending (no `computed_at`) when the case opens; the
    drain fills it in. A settled row (confirmed, corrected or labelled) is a training label."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="+")
    created_at = models.DateTimeField()
    computed_at = models.DateTimeField(null=True)
    # "v<id>" of the SuggesterModel row, or "seed-<digest>" for the model every process trains
    # from the seed set while the database holds none.
    model_version = models.CharField(max_length=40, blank=True)
    category = models.ForeignKey(
        "cases.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confidence = models.FloatField(null=True, blank=True)  # probability of `category`, 0-1
    runner_up = models.ForeignKey(
        "cases.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    runner_up_confidence = models.FloatField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    chosen = models.ForeignKey(
        "cases.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # What the drain claims, oldest first.
            models.Index(
                fields=["created_at"], name="suggest_pending", condition=Q(computed_at__isnull=True)
            ),
            # The training labels, newest first, and "any new since the last model?".
            models.Index(fields=["-settled_at"], name="suggest_labels", condition=Q(chosen__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"category suggestion for case {self.case_id}"

    @property
    def percent(self) -> int | None:
        return None if self.confidence is None else round(self.confidence * 100)

    @property
    def runner_up_percent(self) -> int | None:
        return None if self.runner_up_confidence is None else round(self.runner_up_confidence * 100)


class SuggesterModel(models.Model):
    """One trained suggester: the pickled scikit-learn pipeline and how it was made. Written
    only by services.suggester_train; the newest row of the current scheme is the one used."""

    trained_at = models.DateTimeField()
    scheme = models.PositiveSmallIntegerField()  # classifier.SCHEME that built it
    library_version = models.CharField(max_length=20)  # scikit-learn's, which must match to load
    blob = models.BinaryField()
    classes = models.JSONField(default=list)  # category codes it knows
    seed_samples = models.PositiveIntegerField()
    label_samples = models.PositiveIntegerField()  # agents' confirmed or corrected categories
    samples_by_language = models.JSONField(default=dict)
    labels_until = models.DateTimeField(null=True)  # the newest label it learned from
    cv_accuracy = models.FloatField(null=True)  # stratified k-fold top-1 on its own training data
    cv_samples = models.PositiveIntegerField(default=0)
    train_seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("category suggester model")
        verbose_name_plural = _("category suggester models")

    def __str__(self) -> str:
        return self.version

    @property
    def version(self) -> str:
        return f"v{self.pk}"
