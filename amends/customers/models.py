import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [models.Index(fields=["full_name"])]

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
