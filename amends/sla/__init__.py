"""Service levels: business calendars, SLA clocks, commitments, escalations.

Depends on core, accounts, customers, cases (via selectors/services).
"""
