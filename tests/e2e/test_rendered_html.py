"""Every page state renders valid HTML with a title of its own."""

import re

import pytest
from django.test import Client

from tests.e2e.accessibility import assert_valid_html
from tests.e2e.portal_pages import ERROR_STATES, PAGE_STATES

TITLE = re.compile(r"<title>\s*(?P<page>[^<]+?) – Bildungsportal\s*</title>")


def render(state, url):
    client = Client(raise_request_exception=False)
    if state.post is None:
        return client.get(url)
    return client.post(url, state.post)


@pytest.mark.parametrize("state", PAGE_STATES + ERROR_STATES, ids=str)
def test_page_is_valid_html(state, prepare_state):
    url = prepare_state(state)

    response = render(state, url)

    assert response.status_code == state.status
    assert_valid_html(response.content, name=f"{state.name}.html")


@pytest.mark.parametrize(
    "state",
    [state for state in PAGE_STATES + ERROR_STATES if state.url_name != "admin:login"],
    ids=str,
)
def test_page_title_names_the_page_and_the_portal(state, prepare_state):
    url = prepare_state(state)

    response = render(state, url)

    match = TITLE.search(response.content.decode())
    assert match, "title does not read '… – Bildungsportal'"
    assert match["page"].strip() not in {"", "–"}
