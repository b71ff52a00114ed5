"""Driving a page with the keyboard alone, as a person without a mouse does.

Locators only name the element that should have the focus next; every move
and every entry is a key press, never a click or a fill.
"""

IS_FOCUSED = "element => element === document.activeElement"
FOCUS_LIMIT = 150


def is_focused(locator):
    return locator.evaluate(IS_FOCUSED)


def tab_to(page, locator, *, backwards=False):
    """Press Tab (or Shift+Tab) until ``locator`` has the focus."""
    if locator.count() == 1 and is_focused(locator):
        return
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(FOCUS_LIMIT):
        page.keyboard.press(key)
        if is_focused(locator):
            return
    raise AssertionError(f"{locator} never got the focus with {key}")


def type_into(page, locator, text):
    """Move the focus to a text field by tabbing and type ``text``."""
    tab_to(page, locator)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose(page, locator, label):
    """Tab to a closed select and pick an option by typing its start."""
    tab_to(page, locator)
    page.keyboard.type(label)
    chosen = locator.evaluate("select => select.selectedOptions[0]?.label ?? ''")
    assert chosen == label, f"typing {label!r} chose {chosen!r}"


def activate(page, locator, key="Enter"):
    """Tab to a link or button and press Enter (or Space for a button)."""
    tab_to(page, locator)
    with page.expect_navigation():
        page.keyboard.press(key)
