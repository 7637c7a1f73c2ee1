"""REST API v1 (django-ninja). Interface only: calls services and selectors."""
