"""axe-core and html-validate on the pages behind a login, admin included.

The same browser visit is checked twice: axe-core on the page as shown and
html-validate on the markup the server sent for it.
"""

import re

import pytest
from django.conf import settings

from tests.e2e.accessibility import assert_accessible, assert_valid_html
from tests.e2e.signed_in_pages import SIGNED_IN_STATES, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = re.compile(r"<title>\s*(?P<page>[^<]+?) – Bildungsportal\s*</title>")

SUBMIT_FORM = """([selector, data]) => {
  const form = document.querySelector(selector);
  for (const [name, value] of Object.entries(data)) {
    const field = form.elements.namedItem(name);
    const boxes = field instanceof RadioNodeList ? [...field] : [field];
    if (boxes[0].type === "checkbox") {
      boxes.forEach((box) => { box.checked = box.value === String(value); });
    } else {
      field.value = String(value);
    }
  }
  form.requestSubmit(form.querySelector("[type=submit]"));
}"""


def open_signed_in_state(page, base_url, state, world):
    url, post = state.resolve(world)
    client = world.client_for(state.who)
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if session is not None:
        page.context.add_cookies(
            [{"name": session.key, "value": session.value, "url": base_url}]
        )
    response = page.goto(base_url + url)
    if post is not None:
        with page.expect_navigation() as navigation:
            page.evaluate(SUBMIT_FORM, [state.form, post])
        response = navigation.value
    return response


@pytest.mark.parametrize("state", SIGNED_IN_STATES, ids=str)
def test_signed_in_page_is_accessible_and_valid(state, live_server, page):
    world = World()
    if state.extra.get("lock"):
        world.lock()

    response = open_signed_in_state(page, live_server.url, state, world)

    assert response.status == state.status
    html = response.text()
    if not state.admin:
        match = TITLE.search(html)
        assert match, "title does not read '… – Bildungsportal'"
    assert_accessible(page)
    assert_valid_html(html, name=f"{state.name}.html", admin=state.admin)
