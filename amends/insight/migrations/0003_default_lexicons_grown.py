from django.db import migrations
from django.db.models import F
from django.utils import timezone

from amends.insight.lexicon import LANGUAGES, lexicon_default_rows


def forwards(apps, schema_editor):
    """Give installed lexicons the shipped defaults they lack (same kind and pattern), as
    `manage.py insight_lexicon_load` does: the defaults grew from about 1,950 to 2,970 entries
    after the development set did (docs/insight.md). Entries admins changed or switched off stay
    as they are; a fresh database got them all from 0002 and gains nothing here."""
    Lexicon = apps.get_model("insight", "Lexicon")
    LexiconEntry = apps.get_model("insight", "LexiconEntry")
    lexicons = {code: Lexicon.objects.get_or_create(language=code)[0] for code in LANGUAGES}
    have = set(LexiconEntry.objects.values_list("lexicon__language", "kind", "pattern"))
    new = [
        LexiconEntry(lexicon=lexicons[language], kind=kind, pattern=pattern, weight=weight)
        for language, kind, pattern, weight in lexicon_default_rows(LANGUAGES)
        if (language, kind, pattern) not in have
    ]
    LexiconEntry.objects.bulk_create(new, batch_size=500)
    touched = {entry.lexicon.pk for entry in new}
    # A new version makes every process recompile its lexicon.
    Lexicon.objects.filter(pk__in=touched).update(version=F("version") + 1, updated_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("insight", "0002_default_lexicons")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
