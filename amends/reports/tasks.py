from django.tasks import task

from amends.reports.services.exports import export_run


@task()
def report_export_task(*, export_id: int) -> None:
    export_run(export_id=export_id)
