"""Audit event names for email: "<app>.<past participle>"."""

BOUNCED = "mail.bounced"
HELD_ACCEPTED = "mail.held_accepted"
HELD_REJECTED = "mail.held_rejected"
