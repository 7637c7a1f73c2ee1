"""Writes of the insight app: lexicon entries, and the defaults shipped in lexicons/*.toml.

Every change bumps its lexicon's version in the same transaction, which is how every process
learns that it must recompile the active lexicon (selectors.lexicon_active).
"""

from django.db import transaction
from django.db.models import F

from amends.core import clock

from . import selectors
from .lexicon import LANGUAGES, lexicon_default_rows
from .models import Lexicon, LexiconEntry


def _lexicon_touch(*, lexicon: Lexicon) -> None:
    Lexicon.objects.filter(pk=lexicon.pk).update(version=F("version") + 1, updated_at=clock.now())
    # This process need not wait for its next version check.
    transaction.on_commit(selectors.lexicon_forget)


@transaction.atomic
def lexicon_entry_save(*, entry: LexiconEntry) -> LexiconEntry:
    """Validate and save an entry (new or changed); its lexicon recompiles everywhere."""
    entry.full_clean()
    entry.updated_at = clock.now()
    entry.save()
    _lexicon_touch(lexicon=entry.lexicon)
    return entry


@transaction.atomic
def lexicon_entries_delete(*, entries) -> int:
    """Delete entries (a queryset or a list); their lexicons recompile everywhere."""
    entries = list(entries)
    lexicons = {entry.lexicon_id: entry.lexicon for entry in entries}
    LexiconEntry.objects.filter(pk__in=[entry.pk for entry in entries]).delete()
    for lexicon in lexicons.values():
        _lexicon_touch(lexicon=lexicon)
    return len(entries)


@transaction.atomic
def lexicon_defaults_load(*, languages=LANGUAGES) -> int:
    """Add the shipped default entries that a lexicon lacks (same kind and pattern); entries
    admins changed or switched off stay as they are. Returns the number added."""
    lexicons = {code: Lexicon.objects.get_or_create(language=code)[0] for code in languages}
    existing = set(
        LexiconEntry.objects.filter(lexicon__in=lexicons.values()).values_list(
            "lexicon__language", "kind", "pattern"
        )
    )
    new = [
        LexiconEntry(lexicon=lexicons[language], kind=kind, pattern=pattern, weight=weight)
        for language, kind, pattern, weight in lexicon_default_rows(languages)
        if (language, kind, pattern) not in existing
    ]
    LexiconEntry.objects.bulk_create(new, batch_size=500)
    for lexicon in {entry.lexicon_id: entry.lexicon for entry in new}.values():
        _lexicon_touch(lexicon=lexicon)
    return len(new)
