import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from amends.customers.value.figures import LIMITS


def _figure_bounds(name: str) -> list:
    return [MinValueValidator(0), MaxValueValidator(LIMITS[name])]


def case_priorities() -> list:
    """The case priorities (cases.Case.priority), read by label when a form or a display needs
    them: customers is below cases and does not import it."""
    from django.apps import apps

    return apps.get_model("cases", "Case")._meta.get_field("priority").choices


class Customer(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    # The code of a notify channel (amends.notify.channels); the customer picks it in the
    # portal. No choices here: the list is the configured channels, not a migration.
    preferred_channel = models.CharField(_("preferred channel"), max_length=16, default="email")
    # Mail about service interruptions (amends.learning): "we know about it" and "it is fixed".
    # db_default too: rows written by raw SQL (bulk loaders, benchmarks) need not name it.
    notify_incidents = models.BooleanField(
        _("tell me about service interruptions"), default=True, db_default=True
    )
    address = models.TextField(_("address"), blank=True)
    created_at = models.DateTimeField()
    # Customer value (R-VA-1; amends.customers.value). Null is "not known". lifetime_value is
    # purchases_per_year × expected_years × margin_per_purchase, written with them by
    # customer_value_set and the CSV import (never by hand), so it can be filtered, sorted and
    # read with the customer; null when any of the three is unknown. No defaults: rows written
    # by raw SQL (bench loaders) get null, which is right.
    purchases_per_year = models.DecimalField(
        _("purchases per year"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_figure_bounds("purchases_per_year"),
    )
    expected_years = models.DecimalField(
        _("expected years as a customer"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_figure_bounds("expected_years"),
    )
    margin_per_purchase = models.DecimalField(
        _("margin per purchase"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_figure_bounds("margin_per_purchase"),
    )
    lifetime_value = models.DecimalField(
        _("lifetime value"), max_digits=20, decimal_places=2, null=True, blank=True, editable=False
    )
    value_updated_at = models.DateTimeField(_("value figures changed"), null=True, blank=True, editable=False)
    # The import (and its line) that last set the figures: a second line for the same customer
    # in one import is recognised even after a restart, and the panel can say where they came from.
    value_import = models.ForeignKey(
        "customers.CustomerValueImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    value_import_line = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["full_name"]),
            models.Index(fields=["lifetime_value"], name="customer_lifetime_value"),
        ]

    def __str__(self) -> str:
        return self.full_name or str(self.public_id)[:8]


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")


class CustomerIdentity(models.Model):
    """One way to reach a customer. A value belongs to at most one customer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=8, choices=IdentityKind.choices)
    value = models.CharField(max_length=254)  # normalised: lower-case email, +digits phone
    created_at = models.DateTimeField()
    # Set when mail to this address bounced (a delivery status report): staff see it on the case.
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("contact detail")
        verbose_name_plural = _("contact details")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="identity_unique_value")]

    def __str__(self) -> str:
        return self.value


class ValueImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being imported")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Not imported")


def value_import_path(instance: "CustomerValueImport", filename: str) -> str:
    # The name the user gave stays in original_name; on disk only the unguessable id.
    return f"customer-value-imports/{instance.public_id.hex}.csv"


class CustomerValueImport(models.Model):
    """A CSV of customer value figures, imported by a background task in batches of rows.

    The file is stored until the import finishes, so a worker restart loses nothing;
    `lines_committed` is the last line whose batch committed (with its problems and counts),
    and a run picks up after it. The run holding the import is `runner`, seen alive at
    `heartbeat_at`.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    file = models.FileField(upload_to=value_import_path, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.BigIntegerField(_("size in bytes"), default=0)
    status = models.CharField(
        _("status"), max_length=8, choices=ValueImportStatus.choices, default=ValueImportStatus.QUEUED
    )
    # As read: "utf-8", "cp1255" … (several, comma-separated, when lines differed).
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    lines_total = models.IntegerField(null=True, blank=True)  # physical lines, header included
    lines_committed = models.IntegerField(default=0)  # the last line whose batch committed
    rows_read = models.IntegerField(_("rows read"), default=0)
    rows_applied = models.IntegerField(_("rows applied"), default=0)
    rows_failed = models.IntegerField(_("rows not applied"), default=0)
    # Why nothing could be imported (no header, missing columns): a code and its parameters,
    # put into words in the reader's language (amends.customers.value.problems).
    error_code = models.CharField(max_length=32, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    runner = models.UUIDField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)  # runs ended by an unexpected error
    created_at = models.DateTimeField(_("uploaded"))
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer value import")
        verbose_name_plural = _("customer value imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name or str(self.public_id)

    @property
    def is_finished(self) -> bool:
        return self.status in (ValueImportStatus.DONE, ValueImportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.lines_total:
            return 0
        return min(99, self.lines_committed * 100 // self.lines_total)


class CustomerValueImportProblem(models.Model):
    """One line of an import that was not applied (or applied with a remark): its physical line
    number in the file and why, as a code with parameters put into words when shown."""

    value_import = models.ForeignKey(CustomerValueImport, on_delete=models.CASCADE, related_name="problems")
    line = models.PositiveIntegerField(_("line"))
    code = models.CharField(max_length=32)
    params = models.JSONField(default=dict, blank=True)
    applied = models.BooleanField(default=False)  # a remark on an applied line (a repeated customer)

    class Meta:
        verbose_name = _("import problem")
        verbose_name_plural = _("import problems")
        ordering = ["value_import", "line", "id"]
        indexes = [models.Index(fields=["value_import", "line"], name="value_import_problem_line")]

    def __str__(self) -> str:
        return f"{self.line}: {self.code}"


class ValuePriorityRule(models.Model):
    """A case opened for a customer whose lifetime value is at least `min_lifetime_value` gets
    `priority` (never lowered). Of the active rules a customer meets, the highest priority
    wins. Applied once, when the case is opened (cases.services.value_priority); each raise is
    an event on the case."""

    min_lifetime_value = models.DecimalField(
        _("from lifetime value"),
        max_digits=20,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("In the currency of the value figures (AMENDS_CURRENCY)."),
    )
    priority = models.CharField(_("priority"), max_length=8, choices=case_priorities)
    note = models.CharField(_("why"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("priority rule by customer value")
        verbose_name_plural = _("priority rules by customer value")
        ordering = ["-min_lifetime_value", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_lifetime_value__gte=0), name="value_rule_threshold_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"≥ {self.min_lifetime_value} → {self.get_priority_display()}"
