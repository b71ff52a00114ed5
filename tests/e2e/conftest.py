"""Fixtures for real-browser tests: Debian's Chromium via Playwright."""

import os
import shutil

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path():
    return os.environ.get("PORTAL_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        reason = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"Browser tests must run in CI: {reason}")
        pytest.skip(reason)

    # Playwright's synchronous API runs an event loop in this thread; the
    # database calls of the test itself are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="de-DE", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def prepare_state(db, settings, media_root):
    """Create what a page state needs and return the URL that shows it."""
    from tests.factories import CourseFactory, SignLanguageVideoFactory

    settings.ROOT_URLCONF = "tests.e2e.error_urls"

    def prepare(state):
        course = CourseFactory(title="Vernehmungstechnik für die Praxis")
        if "video" in state.needs:
            SignLanguageVideoFactory()
        args = (course.number,) if "course" in state.needs else ()
        return state.url(*args)

    return prepare
