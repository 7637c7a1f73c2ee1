from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One change to anything that matters: who, when, what, before and after."""

    name = models.CharField(max_length=64)  # "<app>.<past participle>", e.g. cases.transferred
    target_type = models.CharField(max_length=32)  # e.g. "case", "customer"
    target_id = models.BigIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)  # "customer", "api:<token>", "system"
    changes = models.JSONField(default=dict, blank=True)  # {"field": [before, after]}
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.target_type}#{self.target_id}"
