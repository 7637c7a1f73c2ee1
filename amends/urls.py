from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from amends.api.api import api

admin.autodiscover()  # here, not at start-up (settings: SimpleAdminConfig)

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", RedirectView.as_view(pattern_name="portal:complain", permanent=False)),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("desk/", include("amends.desk.urls")),
    path("", include("amends.portal.urls")),
    prefix_default_language=True,
)
