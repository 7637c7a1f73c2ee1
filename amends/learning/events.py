"""Audit event names for problems, incidents and the cases they link: "<app>.<past participle>"."""

# On a problem (target "problem")
PROBLEM_CREATED = "learning.problem_created"
PROBLEM_UPDATED = "learning.problem_updated"
ACTION_ADDED = "learning.action_added"
ACTION_UPDATED = "learning.action_updated"

# On a case, and on the problem (with the case's reference in data)
PROBLEM_LINKED = "learning.problem_linked"  # data.recurrence: it came back after the fix
PROBLEM_UNLINKED = "learning.problem_unlinked"

# On an incident (target "incident")
INCIDENT_DECLARED = "learning.incident_declared"
INCIDENT_UPDATED = "learning.incident_updated"

# On a case, and counted on the incident
INCIDENT_LINKED = "learning.incident_linked"
INCIDENT_UNLINKED = "learning.incident_unlinked"
INCIDENT_ACKNOWLEDGED = "learning.incident_acknowledged"  # the customer told we know about it
INCIDENT_FIXED_TOLD = "learning.incident_fixed_told"  # data.told: False when they opted out
