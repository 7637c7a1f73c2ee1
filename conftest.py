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
    from django.utils import translation

    from amends.core import clock

    clock.freeze(None)
    # A request to /he/… leaves Hebrew active in the thread (LocaleMiddleware activates, nothing
    # deactivates): the next test would reverse() URLs and render pages in Hebrew.
    translation.deactivate()


@pytest.fixture(autouse=True)
def _sla_presets(request):
    """Tests on a flushed database (live_server, transaction=True) still get the presets that
    migration sla.0002 loads: the product assumes a default calendar and policies exist."""
    names = set(request.fixturenames)
    if not names & {"db", "transactional_db", "live_server"} and not request.node.get_closest_marker(
        "django_db"
    ):
        return
    request.getfixturevalue("transactional_db" if names & {"transactional_db", "live_server"} else "db")
    from django.apps import apps

    from amends.sla.models import Calendar
    from amends.sla.presets import seed

    if not Calendar.objects.exists():
        seed(apps.get_model)
