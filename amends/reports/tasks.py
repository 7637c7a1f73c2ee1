from django.tasks import task

from amends.core.tasks_recovery import TaskHeartbeat
from amends.reports.services.exports import export_run


@task(takes_context=True)
def report_export_task(context, *, export_id: int) -> None:
    # A million-row XLSX takes longer than the task lease: the heartbeat keeps it.
    export_run(export_id=export_id, heartbeat=TaskHeartbeat(context).beat)
