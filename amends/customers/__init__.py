"""Customers and their identities (emails, phones), matched across channels (R-IN-3, R-IN-7),
and what each customer is worth (value/, R-VA-1).

Depends on core; the admin and the value pages also on privacy (access log, erasure actions)
and reports (CSV writing). Never on cases or accounts (amends/tests/test_architecture.py).
"""
