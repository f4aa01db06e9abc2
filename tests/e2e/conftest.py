"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Every page fixture records console errors and requests to other hosts, and fails the test if there were any.
Screenshots go under test-artifacts/e2e/ (printed in the test session header).
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_report_header(config):
    return f"browser screenshots: {ARTIFACTS}"


# A module's browser, not the session's: while Playwright's synchronous API runs, this thread has a running event loop,
# and a test of another kind run after it in the same process (async_to_sync in a view) would fail on it.
@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageWatch:
    """What a page did that it should not: console errors, uncaught exceptions, requests to other hosts."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.console_errors = []
        self.foreign_requests = []

    def on_console(self, message):
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def on_page_error(self, error):
        self.console_errors.append(str(error))

    def on_request(self, request):
        if not request.url.startswith((self.base_url, "data:", "about:", "blob:")):
            self.foreign_requests.append(request.url)


@pytest.fixture
def new_page(browser, live_server, transactional_db):
    """Factory for pages in separate browser contexts (one per person in a journey)."""
    contexts = []
    watches = []

    def make(viewport=DESKTOP, java_script_enabled=True):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, java_script_enabled=java_script_enabled
        )
        context.set_default_timeout(15_000)
        watch = PageWatch(live_server.url)
        page = context.new_page()
        page.on("console", watch.on_console)
        page.on("pageerror", watch.on_page_error)
        page.on("request", watch.on_request)
        page.watch = watch  # a test that expects an error answer takes its console line out, naming it
        contexts.append(context)
        watches.append(watch)
        return page

    yield make
    for context in contexts:
        context.close()
    assert [error for watch in watches for error in watch.console_errors] == []
    assert [url for watch in watches for url in watch.foreign_requests] == []


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture(autouse=True)
def _authenticator_codes_of_this_test():
    """The site forgets used authenticator codes when each test clears the cache: so does the sign-in helper."""
    from tests.e2e import helpers  # imported here: helpers imports this module

    helpers.forget_used_codes()
