"""Writes for reviews (reviews.py) and kudos (kudos.py)."""
