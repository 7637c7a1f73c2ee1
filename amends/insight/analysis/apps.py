from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    """Each customer message read once: its language and signals stored, the admins' action
    rules applied (issue 6, points 1–3)."""

    name = "amends.insight.analysis"
    label = "insight_analysis"
    verbose_name = _("Message analysis and actions")
