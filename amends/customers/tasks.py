from django.tasks import task

from amends.customers.value.imports import value_import_run


@task()
def value_import_task(*, import_id: int) -> None:
    value_import_run(import_id=import_id)
