"""Audit event names for customers: "<app>.<past participle>"."""

VALUE_CHANGED = "customers.value_changed"  # target: the customer; changes: before/after of the figures
VALUE_IMPORTED = "customers.value_imported"  # target: the import; data: the counts
# Target: the case opened; data: the rule, the customer's lifetime value, the priority before and after.
PRIORITY_RAISED_BY_VALUE = "customers.priority_raised_by_value"
