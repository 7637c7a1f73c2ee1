import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from amends.cases.choices import (
    OPEN_STATUSES,
    Channel,
    Decision,
    DesiredOutcome,
    MessageKind,
    MessagePurpose,
    Priority,
    ResolutionType,
    Status,
)


class NamedCode(models.Model):
    """A code with a name in each language, which admins may rename, deactivate or add to."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_he = models.CharField(_("name (Hebrew)"), max_length=120, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "en")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_en


class Category(NamedCode):
    """A cause category (R-LE-2): what the customer complains about."""

    class Meta(NamedCode.Meta):
        verbose_name = _("cause category")
        verbose_name_plural = _("cause categories")


class RootCause(NamedCode):
    """Why it happened inside the organisation (R-LE-3), asked for when a case is closed.
    Separate from the category: regulators ask for both."""

    class Meta(NamedCode.Meta):
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")


class Case(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="cases")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    summary = models.TextField(_("agent's summary"), blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("cause category")
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("team")
    )
    # What the complaint is about (a product line, a service, a branch): free text, filterable.
    # db_default: rows written by raw SQL (bulk loaders, benchmarks) need not name it.
    product = models.CharField(_("product or service"), max_length=100, blank=True, default="", db_default="")
    root_cause = models.ForeignKey(
        RootCause,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("root cause"),
    )
    order_number = models.CharField(_("order or account number"), max_length=100, blank=True)
    desired_outcome = models.CharField(
        _("outcome wanted"), max_length=12, choices=DesiredOutcome.choices, blank=True
    )
    desired_outcome_detail = models.CharField(_("outcome details"), max_length=500, blank=True)
    vulnerable = models.BooleanField(_("customer may be vulnerable"), default=False)
    decision = models.CharField(_("decision"), max_length=14, choices=Decision.choices, blank=True)
    resolution_type = models.CharField(
        _("resolution"), max_length=14, choices=ResolutionType.choices, blank=True
    )
    redress_amount = models.DecimalField(
        _("redress amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    redress_currency = models.CharField(_("currency"), max_length=3, blank=True)
    intake_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("received"))
    updated_at = models.DateTimeField()
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    # Kept by the SLA clocks (amends.sla) for the queue and for reporting.
    next_due_at = models.DateTimeField(_("due next"), null=True, blank=True)
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)  # business time
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True)  # business time
    sla_breached = models.BooleanField(_("SLA breached"), default=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["status", "owner", "-created_at"], name="case_status_owner"),
            models.Index(fields=["owner", "status", "-created_at"], name="case_owner_status"),
            models.Index(
                fields=["team", "-created_at"],
                name="case_team_unassigned",
                condition=Q(owner__isnull=True),
            ),
            models.Index(fields=["customer", "-created_at"], name="case_customer"),
            models.Index(fields=["-created_at"], name="case_created"),
            # The open queue, newest first or by reply due, read in index order instead of
            # sorting every open case (docs/performance.md, fix 2).
            models.Index(
                fields=["-created_at", "-id"], name="case_open_newest", condition=Q(status__in=OPEN_STATUSES)
            ),
            models.Index(
                fields=["next_due_at", "id"],
                name="case_open_next_due",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # Agents filter the open queue by language first (they answer in the languages
            # they speak); without this the filter counts and sorts every open case.
            models.Index(
                fields=["language", "-created_at"],
                name="case_open_language",
                condition=Q(status__in=OPEN_STATUSES),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(redress_amount__isnull=True) | Q(redress_amount__gte=0),
                name="case_redress_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in (Status.NEW, Status.OPEN, Status.WAITING)


class Message(models.Model):
    """One message on a case. `body` keeps the customer's words exactly as sent (R-IN-2)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    purpose = models.CharField(max_length=12, choices=MessagePurpose.choices, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField()
    # The Message-ID of the email this message came in as (without <>), for threading our
    # replies into the customer's mail client (notify puts it in In-Reply-To/References).
    email_message_id = models.CharField(max_length=998, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="message_case_created")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"

    @property
    def is_public(self) -> bool:
        return self.kind != MessageKind.NOTE


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Stored under a random name: the customer's filename never touches the file system.
    return f"attachments/{instance.public_id.hex[:2]}/{instance.public_id.hex}"


class Attachment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # Set when the retention job (amends.privacy) deleted the file: the row stays so the case
    # still says a file was here and that it was removed, not a broken link.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename
