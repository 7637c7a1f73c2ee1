"""Audit event names for privacy: "<app>.<past participle>"."""

CUSTOMER_EXPORTED = "privacy.customer_exported"
CUSTOMER_ERASED = "privacy.customer_erased"
