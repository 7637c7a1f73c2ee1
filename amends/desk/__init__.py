"""The agents' web UI: queues, the case page, actions over HTMX. Interface only: calls services and selectors."""
