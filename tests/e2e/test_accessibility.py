"""axe-core finds no WCAG 2.2 A/AA violation on any page state."""

import pytest
from playwright.sync_api import expect

from tests.e2e.accessibility import assert_accessible
from tests.e2e.portal_pages import ERROR_STATES, PAGE_STATES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_state(page, live_server, state, url):
    response = page.goto(live_server.url + url)
    if state.post is not None:
        with page.expect_navigation():
            page.locator("main form[method=post] [type=submit]").click()
        expect(page.locator("#error-summary")).to_be_visible()
    return response


@pytest.mark.parametrize("state", PAGE_STATES + ERROR_STATES, ids=str)
def test_page_has_no_accessibility_violations(state, live_server, page, prepare_state):
    url = prepare_state(state)

    response = open_state(page, live_server, state, url)

    assert response.status == state.status
    assert_accessible(page)
