from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from amends.core import clock

from . import lexicon as lx


class SignalKind(models.TextChoices):
    ANGER = lx.ANGER, lx.KIND_LABELS[lx.ANGER]
    ABUSE = lx.ABUSE, lx.KIND_LABELS[lx.ABUSE]
    LEGAL_THREAT = lx.LEGAL_THREAT, lx.KIND_LABELS[lx.LEGAL_THREAT]
    CHURN_THREAT = lx.CHURN_THREAT, lx.KIND_LABELS[lx.CHURN_THREAT]
    REPEAT_CONTACT = lx.REPEAT_CONTACT, lx.KIND_LABELS[lx.REPEAT_CONTACT]
    MANAGER_REQUEST = lx.MANAGER_REQUEST, lx.KIND_LABELS[lx.MANAGER_REQUEST]
    NEGATION = lx.NEGATION, lx.KIND_LABELS[lx.NEGATION]
    NEGATION_AFTER = lx.NEGATION_AFTER, lx.KIND_LABELS[lx.NEGATION_AFTER]
    INTENSIFIER = lx.INTENSIFIER, lx.KIND_LABELS[lx.INTENSIFIER]


class LexiconLanguage(models.TextChoices):
    EN = "en", _("English")
    HE = "he", _("Hebrew")
    AR = "ar", _("Arabic")
    RU = "ru", _("Russian")


class Lexicon(models.Model):
    """One language's signal lexicon. `version` goes up with every change to its entries, so
    every process recompiles the active lexicon (selectors.lexicon_active)."""

    language = models.CharField(_("language"), max_length=8, choices=LexiconLanguage.choices, unique=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=clock.now, editable=False)

    class Meta:
        ordering = ["language"]
        verbose_name = _("lexicon")
        verbose_name_plural = _("lexicons")

    def __str__(self) -> str:
        return str(self.get_language_display())


class LexiconEntry(models.Model):
    """A word or phrase that adds `weight` to a signal (or negates, or intensifies)."""

    lexicon = models.ForeignKey(Lexicon, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("signal"), max_length=20, choices=SignalKind.choices)
    pattern = models.CharField(
        _("pattern"),
        max_length=400,
        help_text=_(
            "Words separated by spaces. word: every form (stem, or without prefixes in Hebrew "
            "and Arabic); =word: this form only; word*: forms beginning so; a|b: either word; "
            "...: up to 4 words in between; #: a number."
        ),
    )
    weight = models.FloatField(
        _("weight"),
        default=1.0,
        validators=[MinValueValidator(-5.0), MaxValueValidator(5.0)],
        help_text=_(
            "1.0 is enough on its own to report the signal; a negative weight cancels what it overlaps."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=clock.now, editable=False)

    class Meta:
        ordering = ["lexicon", "kind", "pattern"]
        verbose_name = _("lexicon entry")
        verbose_name_plural = _("lexicon entries")
        constraints = [
            models.UniqueConstraint(
                fields=["lexicon", "kind", "pattern"], name="insight_entry_unique_pattern"
            ),
        ]

    def __str__(self) -> str:
        return self.pattern

    def clean(self) -> None:
        super().clean()
        if self.lexicon_id is None or not self.pattern:
            return
        self.pattern = " ".join(self.pattern.split())
        try:
            lx.lexicon_pattern_parse(self.pattern, self.lexicon.language)
        except lx.PatternError as error:
            raise ValidationError({"pattern": error.message}) from error
