import pytest

from amends.insight import selectors


@pytest.fixture
def fresh_lexicon():
    """The active lexicon is compiled again from this test's database, and forgotten after it,
    so a test that edits entries leaks nothing into the next test."""
    selectors.lexicon_reset()
    yield
    selectors.lexicon_reset()
