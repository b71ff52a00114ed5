"""A session about to end warns in time and can be extended from the page.

The idle window is shortened to a few seconds, so the warning opens while
the test waits for it; the test waits for what the page shows, never for a
fixed time.
"""

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Session
from tests.e2e.accessibility import assert_accessible
from tests.e2e.keyboard import tab_to, type_into
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The warning opens half-way through a session this short.
IDLE_SECONDS = 16
WAIT_MS = 3 * IDLE_SECONDS * 1000


@pytest.fixture
def short_sessions(settings):
    settings.SESSION_COOKIE_AGE = IDLE_SECONDS
    settings.PORTAL_SESSION_RENEW_SECONDS = 1


def log_in(page, base_url, client, user):
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": base_url}]
    )
    return cookie.value


def session_end(session_key):
    return Session.objects.get(session_key=session_key).expire_date


def test_warning_opens_in_time_and_extends_without_losing_input(
    live_server, page, client, short_sessions
):
    session_key = log_in(page, live_server.url, client, UserFactory())
    page.goto(live_server.url + reverse("accounts:profile_update"))
    type_into(page, page.get_by_label("Vorname"), "Erika Maria")
    first_end = session_end(session_key)

    dialog = page.get_by_role("dialog", name="Ihre Sitzung endet bald")
    expect(dialog).to_be_visible(timeout=WAIT_MS)
    assert_accessible(page, include="#session-timeout")
    extend = dialog.get_by_role("button", name="Sitzung verlängern")
    tab_to(page, extend)
    page.keyboard.press("Enter")

    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status")).to_have_text("Die Sitzung wurde verlängert.")
    assert session_end(session_key) > first_end
    expect(page.get_by_label("Vorname")).to_have_value("Erika Maria")
    assert page.url.endswith(reverse("accounts:profile_update"))


def test_warning_says_when_the_session_has_ended(
    live_server, page, client, short_sessions
):
    log_in(page, live_server.url, client, UserFactory())
    page.goto(live_server.url + reverse("accounts:profile_update"))
    type_into(page, page.get_by_label("Vorname"), "Erika Maria")

    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Ihre Sitzung ist abgelaufen", timeout=WAIT_MS)
    expect(dialog.get_by_role("button", name="Sitzung verlängern")).to_be_hidden()
    expect(page.get_by_label("Vorname")).to_have_value("Erika Maria")


def test_pages_work_without_script_and_show_no_warning(
    live_server, browser, client, short_sessions
):
    context = browser.new_context(locale="de-DE", java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, client, UserFactory())

    page.goto(live_server.url + reverse("accounts:profile_update"))

    expect(page.locator("#session-timeout")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    context.close()
