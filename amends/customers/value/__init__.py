"""Customer value (R-VA-1): purchases per year, expected years and margin per purchase on the
customer, the lifetime value computed from them, entered on the desk or imported from CSV, shown
on the case and raising a new case's priority by rule.

- figures.py   the arithmetic and the reading of numbers (no ORM)
- encoding.py  which encoding a CSV file is in (no ORM; decision 0016)
- services.py  customer_value_set, the priority rules at intake, the demo figures
- imports.py   the CSV import: request, the background run in batches, resuming
- problems.py  what can be wrong with an import, in words
- selectors.py, forms.py, views.py, urls.py   the desk pages (included by desk/urls.py)

Depends on core, customers and accounts; cases.choices for the priorities. Called by
cases.services.intake (value_rules_for, value_priority_apply). Docs: docs/subsystems/customer-value.md.
"""
