"""Seed the scorecard with the listening checklist (R-LE-5). Administrators may reword,
reorder, switch off or add criteria; the seeded ones are shown translated while their text is
unchanged (docs/decisions/0017)."""

from django.db import migrations


def seed(apps, schema_editor):
    from amends.quality.services.criteria import criteria_seed

    criteria_seed(apps.get_model("quality", "Criterion"))


def unseed(apps, schema_editor):
    from amends.quality.models import BUILT_IN

    apps.get_model("quality", "Criterion").objects.filter(code__in=list(BUILT_IN)).delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
