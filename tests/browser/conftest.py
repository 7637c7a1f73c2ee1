"""Playwright fixtures: one Debian Chromium per session, a fresh browser context per user.

Chromium is started with the offline flags from shared/ARCHITECTURE.md ("Known traps") and a
fresh profile directory; `playwright install` is never used.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio loop in the test thread; Django would otherwise refuse
# the ORM calls the tests make to set up users and check results.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
PASSWORD = "browser-tests-pw-1"


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    """A running Chromium. Playwright refuses `--user-data-dir` in `args` for `launch()`, so
    the fresh profile goes through a persistent context; its browser then hands out
    isolated contexts, one per person in a test."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); "
            "it is missing or not executable. Playwright's own browsers are not used.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        profile = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            yield profile.browser
        finally:
            profile.close()


@pytest.fixture
def new_page(chromium, live_server):
    """Open a page in a new, isolated browser context (its own cookies: one person)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    contexts = []

    def open_page(locale: str = "en-US"):
        context = chromium.new_context(
            base_url=live_server.url, viewport=VIEWPORT, locale=locale, timezone_id="Asia/Jerusalem"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """Save a full-page PNG under test-artifacts/screenshots/ for people to look at, or under
    docs/screenshots/ with AMENDS_DOCS_SCREENSHOTS=1 (refreshing the docs' copies on purpose)."""
    folder = DOCS_SCREENSHOTS if os.environ.get("AMENDS_DOCS_SCREENSHOTS") else SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def desk_agents(transactional_db, team):
    """Two agents who can sign in with PASSWORD; Hebrew-speaking names, as on an Israeli desk."""
    from amends.accounts.services import user_create

    dana = user_create(
        username="dana",
        email="dana@amends.test",
        full_name="דנה לוי",
        password=PASSWORD,
        languages=["he", "en"],
        teams=[team],
    )
    omar = user_create(
        username="omar",
        email="omar@amends.test",
        full_name="עומר חדאד",
        password=PASSWORD,
        languages=["he", "ar", "en"],
        teams=[team],
    )
    return dana, omar


@pytest.fixture
def sign_in(new_page):
    """A new browser context signed in to the desk through the login form."""
    from playwright.sync_api import expect

    def open_desk(user, language: str = "he"):
        page = new_page(locale={"he": "he-IL", "ar": "ar", "ru": "ru-RU"}.get(language, "en-US"))
        page.goto(f"/{language}/desk/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"**/{language}/desk/")
        expect(page.locator("header")).to_contain_text(user.full_name)
        return page

    return open_desk
