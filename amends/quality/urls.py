"""Quality pages, included under /desk/ by desk/urls.py: the names join the desk's namespace
(desk:quality, desk:quality-agent, …)."""

from django.urls import path

from amends.quality import views

urlpatterns = [
    path("quality/", views.quality, name="quality"),
    path("quality/agents/<int:agent_id>/", views.agent_detail, name="quality-agent"),
    path("quality/cases/<uuid:public_id>/review/", views.review_case, name="quality-review-case"),
    path("quality/cases/<uuid:public_id>/kudos/", views.kudos_add, name="quality-kudos-add"),
    path("quality/reviews/<uuid:public_id>/", views.review_detail, name="quality-review"),
    path("quality/kudos/<uuid:public_id>/delete/", views.kudos_delete, name="quality-kudos-delete"),
]
