"""Root test configuration: set before Django settings load, fixtures from every app."""

import os

os.environ.setdefault("AMENDS_TESTING", "1")
os.environ.setdefault("AMENDS_TASKS_IMMEDIATE", "1")  # tasks run inline, as the worker would
os.environ.setdefault("AMENDS_FAST_PASSWORD_HASHER", "1")

import pytest  # noqa: E402

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
