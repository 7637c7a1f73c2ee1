"""The shipped lexicons must load into the database: the seeding migration writes every default
pattern into LexiconEntry.pattern, and PostgreSQL refuses a value longer than the column
(SQLite does not, so only this test would notice before a PostgreSQL install failed)."""

from amends.insight.lexicon import LANGUAGES, lexicon_default_rows
from amends.insight.models import LexiconEntry


def test_every_default_pattern_fits_its_column():
    limit = LexiconEntry._meta.get_field("pattern").max_length
    too_long = [
        (language, kind, pattern[:60])
        for language, kind, pattern, _weight in lexicon_default_rows(LANGUAGES)
        if len(pattern) > limit
    ]
    assert too_long == []


def test_an_installed_lexicon_gains_the_defaults_it_lacks_and_keeps_admins_changes(db):
    # given: a database seeded before the defaults grew (here: two defaults missing), and an
    # entry an admin switched off
    from importlib import import_module

    from django.apps import apps

    from amends.insight.models import Lexicon

    grown = import_module("amends.insight.migrations.0003_default_lexicons_grown")
    english = Lexicon.objects.get(language="en")
    missing = list(LexiconEntry.objects.filter(lexicon=english).order_by("pk")[:2])
    LexiconEntry.objects.filter(pk__in=[e.pk for e in missing]).delete()
    switched_off = LexiconEntry.objects.filter(lexicon=english).order_by("pk").last()
    LexiconEntry.objects.filter(pk=switched_off.pk).update(active=False, weight=0.1)
    version = english.version
    # when the migration runs
    grown.forwards(apps, None)
    # then the missing ones are back, the admin's change stays, and the lexicon recompiles
    assert all(
        LexiconEntry.objects.filter(lexicon=english, kind=e.kind, pattern=e.pattern).exists() for e in missing
    )
    switched_off.refresh_from_db()
    assert (switched_off.active, switched_off.weight) == (False, 0.1)
    english.refresh_from_db()
    assert english.version == version + 1
    # and running it again adds nothing
    count = LexiconEntry.objects.count()
    grown.forwards(apps, None)
    assert LexiconEntry.objects.count() == count
