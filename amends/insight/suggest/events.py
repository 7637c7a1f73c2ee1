"""Audit event names of category suggestions, on the case: "<app>.<past participle>"."""

CATEGORY_CONFIRMED = "insight.category_confirmed"
CATEGORY_CORRECTED = "insight.category_corrected"
