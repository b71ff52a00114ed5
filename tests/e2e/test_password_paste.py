"""Passwords can be pasted, e.g. from a password manager (WCAG 3.3.8).

The text is put on the clipboard and pasted with Ctrl+V into each password
field, reached by Tab; the field must then hold it. No login asks for a
puzzle or a test of memory either: the forms have no other fields.
"""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.keyboard import tab_to
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASTED = "Aus-dem-Passwortmanager-7"


@pytest.fixture
def clipboard_page(browser, live_server):
    context = browser.new_context(
        locale="de-DE", permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    yield page
    context.close()


def paste_into(page, field):
    page.evaluate("text => navigator.clipboard.writeText(text)", PASTED)
    tab_to(page, field)
    page.keyboard.press("Control+V")
    expect(field).to_have_value(PASTED)


@pytest.mark.parametrize(
    ("url_name", "labels"),
    [
        ("accounts:login", ["Passwort"]),
        ("accounts:signup", ["Passwort", "Passwort bestätigen"]),
    ],
)
def test_password_fields_accept_pasting(
    url_name, labels, live_server, clipboard_page, reference_data
):
    page = clipboard_page
    page.goto(live_server.url + reverse(url_name))

    for label in labels:
        paste_into(page, page.get_by_label(label, exact=True))

    assert page.locator("[onpaste], [oncopy], [oncut]").count() == 0


def test_new_password_fields_accept_pasting(live_server, clipboard_page, client):
    page = clipboard_page
    client.force_login(UserFactory())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
    )
    page.goto(live_server.url + reverse("accounts:password_change"))

    for name in ["old_password", "new_password1", "new_password2"]:
        paste_into(page, page.locator(f"main input[name={name}]"))
