"""Root test configuration (settings: amends/settings_test.py); fixtures from every app."""

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
