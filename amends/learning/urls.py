"""Problem and incident pages, included under /desk/ by desk/urls.py: the names join the
desk's namespace (desk:problems, desk:incident, …)."""

from django.urls import path

from amends.learning import views, views_incidents

urlpatterns = [
    path("problems/", views.problems, name="problems"),
    path("problems/new/", views.problem_new, name="problem-new"),
    path("problems/<uuid:public_id>/", views.problem_detail, name="problem"),
    path("problems/<uuid:public_id>/edit/", views.problem_edit, name="problem-edit"),
    path("problems/<uuid:public_id>/cases/", views.problem_cases, name="problem-cases"),
    path("problems/<uuid:public_id>/actions/", views.problem_action_add, name="problem-actions"),
    path(
        "problems/<uuid:public_id>/actions/status/", views.problem_action_status, name="problem-action-status"
    ),
    path("incidents/", views_incidents.incidents, name="incidents"),
    path("incidents/new/", views_incidents.incident_new, name="incident-new"),
    path("incidents/<uuid:public_id>/", views_incidents.incident_detail, name="incident"),
    path("incidents/<uuid:public_id>/edit/", views_incidents.incident_edit, name="incident-edit"),
    path("incidents/<uuid:public_id>/status/", views_incidents.incident_status, name="incident-status"),
    path("incidents/<uuid:public_id>/cases/", views_incidents.incident_cases, name="incident-cases"),
]
