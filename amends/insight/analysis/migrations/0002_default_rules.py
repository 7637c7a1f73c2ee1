from django.db import migrations

# The rules a new installation starts with (issue 6, point 3; R-EM-2, R-EM-3). Admins change
# them in the admin; this migration only seeds an empty table.
DEFAULT_RULES = [
    # (signal, from level, only after our reply, action)
    ("legal_threat", 1, False, "flag_lead"),
    ("legal_threat", 1, False, "raise_priority"),
    ("abuse", 1, False, "route_senior"),
    ("manager_request", 1, False, "manager_request"),
    ("anger", 2, True, "flag_lead"),  # still angry after we answered
    ("anger", 3, False, "raise_priority"),
    ("churn_threat", 1, False, "raise_priority"),
]


def seed(apps, schema_editor):
    ActionRule = apps.get_model("insight_analysis", "ActionRule")
    if ActionRule.objects.exists():
        return
    ActionRule.objects.bulk_create(
        ActionRule(signal=signal, min_level=level, only_after_our_reply=after, action=action, position=n * 10)
        for n, (signal, level, after, action) in enumerate(DEFAULT_RULES, start=1)
    )


class Migration(migrations.Migration):
    dependencies = [("insight_analysis", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
