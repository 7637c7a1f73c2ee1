"""Amends: complaint handling and customer service in Hebrew, Arabic, Russian and English."""
