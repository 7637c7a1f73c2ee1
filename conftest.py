"""Root test configuration: set before Django settings load, fixtures from every app."""

import os

# Settings read AMENDS_TESTING (inline tasks, fast password hashing, a file test database).
os.environ.setdefault("AMENDS_TESTING", "1")

import pytest

pytest_plugins = ["amends.tests.fixtures"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    from amends.core import clock

    clock.freeze(None)
