"""The customers' side: the public complaint form. Interface only."""
