"""The agents' web UI: queues, the case page, actions over HTMX.

Interface only: calls cases/customers/notify services and selectors; holds no business rules.
"""
