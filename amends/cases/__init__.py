"""The case and its lifecycle: intake from every channel, assignment, transfer, replies,
resolution (R-IN-*, R-OW-*, R-RE-1).

Depends on core, accounts, customers (records) and notify (via its services).
"""
