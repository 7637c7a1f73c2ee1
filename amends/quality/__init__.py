"""Quality and recognition (R-LE-5): leads review a case's conversation with a scorecard built
on the listening checklist, customers' compliments become kudos for the agent they praise, and
one page per agent puts their quality score, kudos, satisfaction and promises kept together.

Sits above the workflow, beside learning: it reads cases and their messages (cases), the
satisfaction checks and promises (sla) and the dashboard's rollups (reports), and writes its
own rows and audit events on the case (core). sla calls one service here when a satisfaction
check is answered (kudos_capture_from_followup), and privacy calls kudos_forget on erasure.
Its desk pages (views.py, urls.py, included by desk/urls.py) reach cases only through the
cases funnels.
"""
