"""Layout in a real browser: narrow screens, skip link, visible focus."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.portal_pages import ERROR_STATES, PAGE_STATES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [320, 1280]
GET_STATES = [state for state in PAGE_STATES + ERROR_STATES if state.post is None]

FOCUS_STYLE = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    onBody: element === document.body,
    tag: element.outerHTML.slice(0, 120),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== "none",
  };
}"""


def screenshot_dir(tmp_path):
    """Screenshots go to PORTAL_SCREENSHOT_DIR when set, e.g. docs/."""
    directory = Path(os.environ.get("PORTAL_SCREENSHOT_DIR") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.mark.parametrize("state", GET_STATES, ids=str)
def test_page_fits_320_and_1280_pixels_without_horizontal_scrolling(
    state, live_server, page, prepare_state, tmp_path
):
    url = prepare_state(state)
    name = state.name.replace(" ", "-")

    overflow = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(live_server.url + url)
        page.screenshot(
            path=screenshot_dir(tmp_path) / f"{name}-{width}.png", full_page=True
        )
        overflow[width] = page.evaluate(
            "() => Math.max(0, document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth)"
        )

    assert overflow == dict.fromkeys(WIDTHS, 0)


def test_skip_link_is_first_visible_on_focus_and_leads_to_main(
    live_server, page, prepare_state
):
    url = prepare_state(PAGE_STATES[0])
    page.goto(live_server.url + url)

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")

    expect(page.locator("main")).to_be_focused()


@pytest.mark.parametrize(
    "url_name",
    ["home", "accounts:login", "pages:accessibility_statement", "courses:course_list"],
)
def test_keyboard_focus_is_always_visible(url_name, live_server, page, prepare_state):
    state = next(state for state in PAGE_STATES if state.url_name == url_name)
    url = prepare_state(state)
    page.goto(live_server.url + url)

    visited, hidden = 0, []
    for _ in range(60):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STYLE)
        if focus["onBody"]:
            break
        visited += 1
        if not (focus["outline"] or focus["shadow"]):
            hidden.append(focus["tag"])

    assert visited >= 5
    assert hidden == []
