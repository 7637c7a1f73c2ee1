"""Writes for privacy: access log (access.py), export (export.py), erasure (erasure.py) and the
attachment retention job (retention.py)."""
