"""Customer value pages, included under /desk/ by desk/urls.py (names join desk:)."""

from django.urls import path

from amends.customers.value import views

urlpatterns = [
    # The public id is the case's: the figures are changed from the case, through its funnel.
    path("customer-value/<uuid:public_id>/", views.customer_value_edit, name="customer-value"),
    path("customer-value/imports/", views.value_imports, name="value-imports"),
    path("customer-value/imports/<uuid:public_id>/", views.value_import_detail, name="value-import"),
    path(
        "customer-value/imports/<uuid:public_id>/problems.csv",
        views.value_import_problems_csv,
        name="value-import-problems",
    ),
]
