from django.contrib.auth import views as auth_views
from django.urls import include, path

from amends.desk import views, views_coach
from amends.reports import urls as reports_urls

app_name = "desk"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="desk/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.queue, name="queue"),
    path("search/", views.search, name="search"),
    # The managers' dashboard, leads and admins (namespace desk:reports).
    path("reports/", (reports_urls.urlpatterns, reports_urls.app_name, "reports")),
    path("cases/new/", views.case_log, name="case-log"),
    path("cases/<uuid:public_id>/", views.case_detail, name="case"),
    path("cases/<uuid:public_id>/coach/", views_coach.coach, name="coach"),
    path("cases/<uuid:public_id>/<slug:action>/", views.case_action, name="case-action"),
    path(
        "cases/<uuid:public_id>/messages/<uuid:message_id>/email/", views.mail_original, name="mail-original"
    ),
    path("attachments/<uuid:public_id>/", views.attachment_download, name="attachment"),
    path("outbox/", views.outbox, name="outbox"),
    path("attention/", views.attention, name="attention"),
    path("", include("amends.learning.urls")),  # problems and incidents
    path("", include("amends.customers.value.urls")),  # customer value: figures and CSV imports
    path("", include("amends.quality.urls")),  # reviews, kudos and the per-agent pages
]
