"""The portal's own records: sign-in tokens and the moment a customer's links stop working.

Neither holds a secret a database reader could use: tokens and codes are stored hashed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInToken(models.Model):
    """One emailed sign-in: a link token and a short code, both good once, until `expires_at`."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)  # sha256 hex of the link token
    code_hash = models.CharField(max_length=64)  # HMAC of the code, keyed by the token hash
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)  # wrong codes typed

    class Meta:
        verbose_name = _("portal sign-in")
        verbose_name_plural = _("portal sign-ins")
        indexes = [models.Index(fields=["customer", "expires_at"], name="signin_customer_expires")]

    def __str__(self) -> str:
        return f"{self.customer_id}:{self.created_at:%Y-%m-%d %H:%M}"


class PortalAccess(models.Model):
    """Links and portal sessions issued before `links_valid_from` no longer open anything.
    Signing out and erasing the customer move it to now."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    links_valid_from = models.DateTimeField()

    class Meta:
        verbose_name = _("portal access")
        verbose_name_plural = _("portal access")

    def __str__(self) -> str:
        return f"{self.customer_id}: from {self.links_valid_from:%Y-%m-%d %H:%M}"
