"""Nothing is lost with WCAG text spacing or at 200% zoom (1.4.10, 1.4.12).

Zoom at 200% on a 1280-pixel screen lays the page out 640 CSS pixels wide;
the text spacing of WCAG 1.4.12 is applied at 320 pixels, where it is
hardest to fit. The checks: no horizontal scrolling, no text cut off by a
box that hides its overflow, no two pieces of text drawn over each other.
"""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.e2e.portal_pages import PAGE_STATES
from tests.factories import EnrollmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The style sheet of WCAG's understanding document for 1.4.12.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""

MAIN_PAGES = [
    "start",
    "login",
    "sign-up",
    "catalogue",
    "course detail",
    "help",
    "accessibility statement",
    "easy-to-read German",
]

LAYOUT_PROBLEMS = (Path(__file__).parent / "layout_problems.js").read_text(
    encoding="utf-8"
)

NO_PROBLEMS = {"scroll": 0, "wide": [], "clipped": [], "overlapping": []}


@pytest.fixture
def spacing_page(browser):
    # The test style sheet is added inline, which the portal's CSP forbids.
    context = browser.new_context(locale="de-DE", bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def check(page, url, *, width, spacing):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url)
    if spacing:
        page.add_style_tag(content=TEXT_SPACING)
    return page.evaluate(LAYOUT_PROBLEMS)


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_main_pages_keep_everything_at_200_percent_and_with_text_spacing(
    name, live_server, spacing_page, prepare_state
):
    state = next(state for state in PAGE_STATES if state.name == name)
    url = live_server.url + prepare_state(state)

    assert check(spacing_page, url, width=640, spacing=False) == NO_PROBLEMS
    assert check(spacing_page, url, width=320, spacing=True) == NO_PROBLEMS


@pytest.mark.parametrize("url_name", ["courses:my_enrollments", "accounts:profile"])
def test_signed_in_pages_keep_everything_with_text_spacing(
    url_name, live_server, spacing_page, client
):
    employee = UserFactory()
    EnrollmentFactory(user=employee)
    client.force_login(employee)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    spacing_page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
    )
    url = live_server.url + reverse(url_name)

    assert check(spacing_page, url, width=640, spacing=False) == NO_PROBLEMS
    assert check(spacing_page, url, width=320, spacing=True) == NO_PROBLEMS
