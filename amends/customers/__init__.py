"""Customers and their identities (emails, phones), matched across channels (R-IN-3, R-IN-7).

Depends on core only.
"""
