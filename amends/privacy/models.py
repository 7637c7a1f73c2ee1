from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessKind(models.TextChoices):
    CASE_PAGE = "case_page", _("Case page")
    ORIGINAL_MAIL = "original_mail", _("Original email")
    ATTACHMENT = "attachment", _("Attachment download")
    EXPORT = "export", _("Data export")
    ADMIN_CUSTOMER = "admin_customer", _("Customer in the admin")


class AccessLogEntry(models.Model):
    """A member of staff looked at a customer's record (R-PR-1). Written with one INSERT per
    view (access_record) and never changed; admins search it in the admin."""

    at = models.DateTimeField(_("when"))
    # PROTECT: staff are deactivated, not deleted; the log must keep saying who looked.
    # Empty for a manage.py command (actor_label says which).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the (user, at) index below serves it
        verbose_name=_("who"),
    )
    actor_label = models.CharField(_("by"), max_length=100, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("customer"),
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("case"),
    )
    what = models.CharField(_("what"), max_length=16, choices=AccessKind.choices)
    # The public id of the message or file looked at, if it was one (never its name).
    detail = models.CharField(_("detail"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        # The log is read, never edited: no add, change or delete permission exists.
        default_permissions = ("view",)
        # The privacy actions on customers (admin and manage.py); superusers have them.
        permissions = [
            ("export_customer", _("Can export a customer's data")),
            ("erase_customer", _("Can erase a customer")),
        ]
        indexes = [
            # One per search the admin offers (by customer, staff member, case), newest
            # first, and the date range alone.
            models.Index(fields=["customer", "-at"], name="access_customer_at"),
            models.Index(fields=["user", "-at"], name="access_user_at"),
            models.Index(fields=["case", "-at"], name="access_case_at"),
            models.Index(fields=["-at"], name="access_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.what}"
