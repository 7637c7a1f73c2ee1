"""Privacy tools (R-PR-1): the staff access log, a customer's data export, erasure on request,
and the retention job that removes old attachment files.

Sits above the domain apps (it reads and scrubs customers, cases, mail, notify and sla rows)
and beside the interfaces: desk and the admin call `access_record`; nothing below calls
privacy.
"""
