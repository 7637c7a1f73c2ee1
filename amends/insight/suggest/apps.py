from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestConfig(AppConfig):
    name = "amends.insight.suggest"
    label = "insight_suggest"
    verbose_name = _("Cause category suggestions")
