from django.db import migrations

from amends.insight.lexicon import LANGUAGES, lexicon_default_rows


def forwards(apps, schema_editor):
    """Seed every lexicon from the shipped defaults (amends/insight/lexicons/*.toml)."""
    Lexicon = apps.get_model("insight", "Lexicon")
    LexiconEntry = apps.get_model("insight", "LexiconEntry")
    lexicons = {code: Lexicon.objects.get_or_create(language=code)[0] for code in LANGUAGES}
    LexiconEntry.objects.bulk_create(
        [
            LexiconEntry(lexicon=lexicons[language], kind=kind, pattern=pattern, weight=weight)
            for language, kind, pattern, weight in lexicon_default_rows(LANGUAGES)
        ],
        batch_size=500,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("insight", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
