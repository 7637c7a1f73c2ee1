"""Human-friendly case references: short, unambiguous when read aloud or typed on a phone."""

import secrets

# No 0/O, 1/I/L, no vowels that could spell words: 28 symbols, 6 places ≈ 481 million values.
ALPHABET = "23456789BCDFGHJKMNPQRSTVWXYZ"
PREFIX = "AM-"


def reference_new() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(6))


def reference_normalise(text: str) -> str:
    """'am 7k3q9x', 'AM-7K3Q9X', '#am-7k3q9x' → 'AM-7K3Q9X'."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    if compact.startswith("AM"):
        compact = compact[2:]
    return PREFIX + compact
