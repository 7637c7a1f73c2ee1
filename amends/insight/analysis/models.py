from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignalKind(models.TextChoices):
    ANGER = "anger", _("Anger")
    ABUSE = "abuse", _("Abuse or threats against staff")
    LEGAL_THREAT = "legal_threat", _("Legal threat")
    CHURN_THREAT = "churn_threat", _("Threat to leave")
    REPEAT_CONTACT = "repeat_contact", _("Repeat contact")
    MANAGER_REQUEST = "manager_request", _("Asks for a manager")


class MessageAnalysis(models.Model):
    """What was read in one customer message: its language and its signals, with the words
    that triggered them (character offsets into Message.body)."""

    message = models.OneToOneField(
        "cases.Message", on_delete=models.CASCADE, primary_key=True, related_name="analysis"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="analyses")
    language = models.CharField(max_length=8, blank=True)  # "" when there was not enough text
    language_confidence = models.FloatField(default=0.0)
    mixed = models.JSONField(default=list, blank=True)  # [[code, share], ...], largest first
    signals = models.JSONField(default=list, blank=True)  # [{kind, score, level, spans}], strongest first
    anger_level = models.PositiveSmallIntegerField(default=0)
    after_our_reply = models.BooleanField(default=False)  # we had written to them before this
    queued_at = models.DateTimeField()
    analysed_at = models.DateTimeField(null=True, blank=True)  # null: waiting for the drain

    class Meta:
        verbose_name = _("message analysis")
        verbose_name_plural = _("message analyses")
        indexes = [
            models.Index(fields=["case"], name="analysis_case"),
            models.Index(
                fields=["queued_at"], name="analysis_pending", condition=models.Q(analysed_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id}: {', '.join(s['kind'] for s in self.signals) or '-'}"

    def kinds(self) -> set[str]:
        return {s["kind"] for s in self.signals}


class Action(models.TextChoices):
    RAISE_PRIORITY = "raise_priority", _("Raise the priority one step")
    FLAG_LEAD = "flag_lead", _("Flag the case to the team lead at once")
    ROUTE_SENIOR = "route_senior", _("Route to a senior agent")
    MANAGER_REQUEST = "manager_request", _("Escalate as a request for a manager")


class ActionRule(models.Model):
    """When a customer's message shows `signal` at `min_level` or more, do `action`. Admins
    change these in the admin; every action taken is an event on the case with its reason."""

    signal = models.CharField(_("signal"), max_length=20, choices=SignalKind.choices)
    min_level = models.PositiveSmallIntegerField(
        _("from level"),
        default=1,
        help_text=_("Anger: 1 mild, 2 angry, 3 furious. Other signals have level 1."),
    )
    only_after_our_reply = models.BooleanField(
        _("only after our reply"),
        default=False,
        help_text=_("Only when we had already written to the customer: they are still upset."),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    language = models.CharField(
        _("language"), max_length=8, blank=True, help_text=_("Empty: messages in any language.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("action rule")
        verbose_name_plural = _("action rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.get_signal_display()} ≥ {self.min_level} → {self.get_action_display()}"


class JargonTerm(models.Model):
    """A word only staff understand, which the reply coach points out in drafts (R-WR-2).
    The coach knows common ones; admins add their organisation's own here."""

    term = models.CharField(_("word or phrase"), max_length=100)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=[("", _("Any language")), *settings.LANGUAGES],
    )
    plain_words = models.CharField(_("say instead"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("jargon term")
        verbose_name_plural = _("jargon terms")
        ordering = ["language", "term"]

    def __str__(self) -> str:
        return self.term
