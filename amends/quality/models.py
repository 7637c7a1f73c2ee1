import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

# The listening checklist (R-LE-5), seeded as criteria by migration 0002. The English text is
# the msgid: a criterion whose label is still its built-in text is shown translated; once an
# administrator rewrites the label, their words are shown as written (docs/decisions/0017).
BUILT_IN: dict[str, tuple[str, str]] = {
    "listens": (
        gettext_noop("Listens without interrupting"),
        gettext_noop(
            "Lets the customer tell the whole story before answering, and answers what they "
            "wrote rather than a guess at it."
        ),
    ),
    "tests_understanding": (
        gettext_noop("Tests understanding"),
        gettext_noop(
            "Asks about what is unclear and sums the complaint up in their own words, the "
            "unwelcome parts included."
        ),
    ),
    "shows_listening": (
        gettext_noop("Shows listening"),
        gettext_noop(
            "The reply shows the customer was heard: it picks up their details and their "
            "feelings, in a warm tone."
        ),
    ),
    "builds_rapport": (
        gettext_noop("Builds rapport"),
        gettext_noop(
            "Lets the customer let off steam, sees it from their side, uses their name and talks "
            "about what happens next rather than what went before."
        ),
    ),
    "diagnoses_without_arguing": (
        gettext_noop("Diagnoses without arguing"),
        gettext_noop("Gathers the facts before drawing conclusions; does not argue, defend or justify."),
    ),
    "admits_errors": (
        gettext_noop("Admits errors and apologises"),
        gettext_noop(
            "Owns the mistake for the whole organisation and apologises sincerely, even when "
            "someone else made it."
        ),
    ),
    "looks_for_solutions": (
        gettext_noop("Looks for solutions"),
        gettext_noop("Offers a way forward, not obstacles, and promises only what can be delivered."),
    ),
}


class Criterion(models.Model):
    """One line of the scorecard. Administrators may reword, reorder, switch off or add lines;
    reviews already written keep their scores."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    label = models.CharField(
        _("label"),
        max_length=120,
        help_text=_(
            "The seven built-in criteria are shown translated while their label is unchanged; "
            "a label you write is shown as written, in every language."
        ),
    )
    hint = models.CharField(_("what to look for"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("scorecard criterion")
        verbose_name_plural = _("scorecard criteria")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return criterion_text(self.code, self.label, 0)

    @property
    def hint_text(self) -> str:
        return criterion_text(self.code, self.hint, 1)


def criterion_text(code: str, text: str, index: int) -> str:
    """`text` in the active language when it is a built-in criterion's own text, else as is."""
    built_in = BUILT_IN.get(code)
    if built_in and text == built_in[index]:
        return gettext(text)
    return text


class Rating(models.TextChoices):
    MET = "met", _("Met")
    PARTLY = "partly", _("Partly")
    NOT_MET = "not_met", _("Not met")
    NOT_APPLICABLE = "na", _("Not applicable")


# Points per rating; "not applicable" has none and leaves the criterion out of the score.
POINTS = {Rating.MET: 2, Rating.PARTLY: 1, Rating.NOT_MET: 0, Rating.NOT_APPLICABLE: None}
MAX_POINTS = 2


class Review(models.Model):
    """A lead's review of one agent's part in one case's conversation. One per case, agent and
    reviewer: reviewing again changes it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="quality_reviews")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="quality_reviews",
        verbose_name=_("agent"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    comment = models.TextField(_("overall comment"), blank=True)
    points = models.PositiveSmallIntegerField(default=0)
    max_points = models.PositiveSmallIntegerField(default=0)  # 0: every criterion not applicable
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("quality review")
        verbose_name_plural = _("quality reviews")
        constraints = [
            models.UniqueConstraint(fields=["case", "agent", "reviewer"], name="quality_review_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="quality_score_pct"
            ),
        ]
        indexes = [models.Index(fields=["agent", "-created_at"], name="quality_review_agent")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.agent_id}"


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(_("rating"), max_length=8, choices=Rating.choices)
    points = models.PositiveSmallIntegerField(null=True, blank=True)  # POINTS[rating], for SQL sums
    comment = models.CharField(_("comment"), max_length=1000, blank=True)

    class Meta:
        ordering = ["criterion__position", "criterion__code"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="quality_score_once")]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.criterion_id}={self.rating}"


class KudosSource(models.TextChoices):
    MESSAGE = "message", _("Marked on a customer's message")
    SATISFACTION = "satisfaction", _("The satisfaction check")


class Kudos(models.Model):
    """A customer's compliment for an agent, in the customer's own words (`quote`)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="kudos")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kudos", verbose_name=_("agent")
    )
    source = models.CharField(_("from"), max_length=12, choices=KudosSource.choices)
    message = models.ForeignKey(
        "cases.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    followup = models.ForeignKey(
        "sla.FollowUp", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    quote = models.TextField(_("the customer's words"))
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # empty: captured by the system (a satisfaction answer)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("kudos")
        verbose_name_plural = _("kudos")
        constraints = [
            # A satisfaction answer becomes kudos once; a message gives one agent kudos once.
            models.UniqueConstraint(
                fields=["followup"], condition=Q(followup__isnull=False), name="kudos_once_per_followup"
            ),
            models.UniqueConstraint(
                fields=["message", "agent"], condition=Q(message__isnull=False), name="kudos_once_per_message"
            ),
        ]
        indexes = [models.Index(fields=["agent", "-created_at"], name="kudos_agent")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.agent_id}"
