from django.urls import path

from amends.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("monthly/", views.monthly, name="monthly"),
    path("table/", views.table_export, name="table"),
    path("cases/", views.cases, name="cases"),
    path("cases.csv", views.cases_csv, name="cases-csv"),
    path("exports/", views.export_start, name="export-start"),
    path("exports/<uuid:public_id>/", views.export_status, name="export"),
    path("exports/<uuid:public_id>/download/", views.export_download, name="export-download"),
]
