"""Playwright driving Debian's Chromium against Django's live server (a real browser, a real server thread).

Shared by the monitors' browser tests and the admin walk. Every test here is
marked `browser` and is transactional (the live server runs in another
thread and sees only committed rows). Screenshots go to
`artifacts/screenshots/` (gitignored), kept as the run's artefacts.

Chromium is Debian's (`/usr/bin/chromium`, installed by `.ci/run`; override
with `CHROMIUM`); Playwright's own browser download does not work here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
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
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password
# Long enough for a slow CI machine; a test that waits this long has failed.
TIMEOUT_MS = 20_000


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def chromium(live_server, monkeypatch):
    """A Chromium for one test.

    Per test, not per session: Playwright's sync API keeps an asyncio loop running in this thread for as
    long as it is started, and Django refuses ORM calls from a thread with a running loop. For the test
    itself (whose ORM calls are plain synchronous ones) that check is lifted, and only for its duration:
    subprocesses started by other tests must not inherit it (`check --deploy` rightly fails on it).
    """
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; .ci/run does it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def context_options() -> dict:
    """Override in a test module to change the browser profile (locale, geolocation, JavaScript…)."""
    return {}


@pytest.fixture
def browser_context(chromium, live_server, settings, context_options) -> Iterator:
    """A fresh browser profile (cookies, service workers, IndexedDB) on the live server, a phone-sized screen."""
    settings.AXES_ENABLED = True  # sign-in goes through django-axes as in production
    options = {"locale": "en-GB", "viewport": {"width": 390, "height": 844}, **context_options}
    context = chromium.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def screenshot():
    """`screenshot(page, "name")` saves artifacts/screenshots/name.png (full page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, username: str, password: str = PASSWORD, *, path: str = "/accounts/login/") -> None:
    """Sign in through the monitors' sign-in page and wait for the page after it."""
    page.goto(path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def wait_for_js(page, expression: str, *, timeout_ms: int = TIMEOUT_MS) -> None:
    """Wait until a JavaScript expression is truthy.

    Playwright's `wait_for_function` evaluates a string with eval, which the site's CSP rightly forbids;
    `page.evaluate` goes through the DevTools protocol and is not blocked.
    """
    waited = 0
    while not page.evaluate(f"() => Boolean({expression})"):
        if waited >= timeout_ms:
            raise AssertionError(f"Still false after {timeout_ms} ms: {expression}")
        page.wait_for_timeout(100)
        waited += 100
