"""Customer value (R-VA-1): purchases per year, expected years and margin per purchase on the
customer, the lifetime value computed from them, entered on the desk or imported from CSV, shown
on the case and raising a new case's priority by rule.

- figures.py   the arithmetic and the reading of numbers (no ORM)
- encoding.py  which encoding a CSV file is in (no ORM; decision 0016)
- services.py  customer_value_set, the priority rules at intake, the demo figures
- imports.py   the CSV import: request, the background run in batches, resuming
- problems.py  what can be wrong with an import, in words
- selectors.py, forms.py, views.py, urls.py   the desk pages (included by desk/urls.py)

Like all of customers it imports neither cases nor accounts (amends/tests/test_architecture.py):
the rules' priorities are read from cases.Case by label, and the rules are applied to new cases
by cases.services.value_priority. The pages also use privacy (the access log) and
reports.services.exports (CSV writing). Docs: docs/subsystems/customer-value.md.
"""
