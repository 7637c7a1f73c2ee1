"""Shared kernel: the clock, audit events, DomainError and i18n helpers.

Depends on nothing else in Amends; every other app may import it.
"""
