from django.db import migrations

from amends.sla.presets import seed


def forwards(apps, schema_editor):
    seed(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
