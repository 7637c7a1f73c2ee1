import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    LEAD = "lead", _("Team lead")
    ADMIN = "admin", _("Administrator")


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    calendar = models.ForeignKey(
        "sla.Calendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams",
        verbose_name=_("business calendar"),
        help_text=_("Empty: the default calendar."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff. One full-name field: names do not split the same way everywhere."""

    first_name = None  # type: ignore[assignment]  # replaced by full_name
    last_name = None  # type: ignore[assignment]  # replaced by full_name
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.AGENT)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    teams = models.ManyToManyField(Team, related_name="members", blank=True, verbose_name=_("teams"))
    sees_all_teams = models.BooleanField(
        _("sees all teams"),
        default=False,
        help_text=_(
            "An agent sees only the cases of their teams, cases they own and cases with no team. "
            "Tick this to let them see every case."
        ),
    )

    is_senior = models.BooleanField(
        _("senior agent"),
        default=False,
        help_text=_("Takes the cases of abusive customers when the action rules route them (R-EM-3)."),
    )

    REQUIRED_FIELDS = ["email", "full_name"]

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.username

    @property
    def is_lead(self) -> bool:
        return self.role in (Role.LEAD, Role.ADMIN) or self.is_superuser

    @property
    def sees_every_case(self) -> bool:
        """Leads, admins and staff granted wider scope see every team's cases (R-PR-1)."""
        return self.is_lead or self.sees_all_teams

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
