"""Customer value pages, included under /desk/ by desk/urls.py (names join desk:)."""

from django.urls import path

from amends.customers.value import views

urlpatterns = [
    # The customer's public id; ?case=<case id> names the case page to go back to.
    path("customer-value/<uuid:public_id>/", views.customer_value_edit, name="customer-value"),
    path("customer-value/imports/", views.value_imports, name="value-imports"),
    path("customer-value/imports/<uuid:public_id>/", views.value_import_detail, name="value-import"),
    path(
        "customer-value/imports/<uuid:public_id>/problems.csv",
        views.value_import_problems_csv,
        name="value-import-problems",
    ),
]
