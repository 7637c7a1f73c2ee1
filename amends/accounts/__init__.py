"""Staff: agents, leads and admins, their teams, languages and API tokens.

Depends on core only.
"""
