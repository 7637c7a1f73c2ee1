from django.urls import path

from amends.portal import views

app_name = "portal"
urlpatterns = [
    path("complain/", views.complain, name="complain"),
    path("complain/thanks/<uuid:public_id>/", views.thanks, name="thanks"),
    path("followup/<str:token>/", views.followup, name="followup"),
]
