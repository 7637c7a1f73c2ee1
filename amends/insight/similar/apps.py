from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimilarConfig(AppConfig):
    name = "amends.insight.similar"
    label = "insight_similar"
    verbose_name = _("Similar complaints")
