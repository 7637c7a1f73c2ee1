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
