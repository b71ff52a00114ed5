"""Sign-up, login, "Kennwort vergessen", enrolling and cancelling by keyboard.

Every step is a key press: Tab and Shift+Tab move the focus, Enter and Space
follow links and press buttons, typing fills fields and picks options. Only
the links in mails are opened directly, as a person opens them from the
mail program.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from courses.models import Enrollment
from tests.e2e.keyboard import activate, choose, tab_to, type_into
from tests.factories import TEST_PASSWORD, CourseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Neues-Kennwort-Lang-42"


def heading(page):
    return page.get_by_role("heading", level=1)


def log_in_by_keyboard(page, base_url, login_id, password):
    page.goto(base_url + reverse("home"))
    activate(page, page.get_by_role("link", name="Anmelden", exact=True).first)
    type_into(page, page.get_by_label("Nutzerkennung"), login_id)
    type_into(page, page.get_by_label("Passwort"), password)
    activate(page, page.get_by_role("button", name="Anmelden"), key="Space")


def test_sign_up_confirm_and_log_in_by_keyboard(
    live_server, page, reference_data, smtp_server, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    page.goto(live_server.url + reverse("accounts:login"))
    activate(page, page.get_by_role("link", name="Noch kein Konto? Registrieren"))

    type_into(page, page.get_by_label("LBV-Personalnummer"), "0123 4567/123A")
    type_into(page, page.get_by_label("Passwort", exact=True), TEST_PASSWORD)
    type_into(page, page.get_by_label("Passwort bestätigen"), TEST_PASSWORD)
    type_into(page, page.get_by_label("Vorname"), "Erika")
    type_into(page, page.get_by_label("Nachname"), "Muster")
    type_into(page, page.get_by_label("E-Mail-Adresse"), "erika.muster@example.org")
    choose(
        page,
        page.get_by_label("Ressort"),
        "Ministerium der Justiz und für Migration",
    )
    choose(page, page.get_by_label("Dienststelle"), "Amtsgericht Achern")
    choose(page, page.get_by_label("Laufbahngruppe"), "gehobener Dienst")
    activate(page, page.get_by_role("button", name="Registrieren"))
    expect(heading(page)).to_have_text("E-Mail-Adresse bestätigen")

    (message,) = smtp_server.wait_for(1)
    (link,) = re.findall(r"http://\S+/bestaetigen/\S+/", smtp_server.bodies()[0])
    page.goto(link)
    activate(
        page, page.get_by_role("button", name="E-Mail-Adresse bestätigen"), "Space"
    )
    expect(page.get_by_text("Ihre Nutzerkennung lautet")).to_contain_text("01234567")

    activate(page, page.get_by_role("button", name="Abmelden"))
    log_in_by_keyboard(page, live_server.url, "01234567", TEST_PASSWORD)

    expect(heading(page)).to_have_text("Veranstaltungen")


def test_forgotten_password_by_keyboard(live_server, page, smtp_server, settings):
    settings.PORTAL_BASE_URL = live_server.url
    UserFactory(login_id="01234567", email="erika@example.org")

    page.goto(live_server.url + reverse("accounts:login"))
    activate(page, page.get_by_role("link", name="Kennwort vergessen"))
    type_into(page, page.get_by_label("Nutzerkennung"), "01234567")
    activate(page, page.get_by_role("button", name="Link senden"))
    expect(heading(page)).to_have_text("Bitte prüfen Sie Ihre E-Mails")

    smtp_server.wait_for(1)
    (link,) = re.findall(
        r"http://\S+/kennwort-vergessen/\S+/\S+/", smtp_server.bodies()[0]
    )
    page.goto(link)
    type_into(page, page.get_by_label("Neues Passwort", exact=True), NEW_PASSWORD)
    type_into(page, page.get_by_label("Neues Passwort bestätigen"), NEW_PASSWORD)
    # Enter in a field sends the form, as in every browser.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Passwort geändert")

    log_in_by_keyboard(page, live_server.url, "01234567", NEW_PASSWORD)

    expect(heading(page)).to_have_text("Veranstaltungen")


def test_enrol_and_cancel_by_keyboard(live_server, page):
    course = CourseFactory(title="Vernehmungstechnik")
    employee = UserFactory()
    log_in_by_keyboard(page, live_server.url, employee.login_id, TEST_PASSWORD)

    activate(page, page.get_by_role("link", name="Vernehmungstechnik"))
    expect(heading(page)).to_have_text("Vernehmungstechnik")
    activate(page, page.get_by_role("button", name="Anmelden", exact=True), "Space")
    expect(heading(page)).to_have_text("Meine Bildungsmaßnahmen")
    row = page.get_by_role("row").filter(has_text="Vernehmungstechnik")
    expect(row.get_by_role("cell").nth(3)).to_have_text("zugelassen")

    activate(page, row.get_by_role("link", name=f"Stornieren {course.number}"))
    expect(heading(page)).to_have_text("Anmeldung stornieren")
    type_into(page, page.get_by_label("Grund"), "Terminkollision")
    activate(page, page.get_by_role("button", name="Stornieren"))
    expect(heading(page)).to_have_text("Anmeldung storniert")
    activate(page, page.get_by_role("link", name="Zurück zur Übersicht"))

    row = page.get_by_role("row").filter(has_text="Vernehmungstechnik")
    expect(row.get_by_role("cell").nth(3)).to_have_text("storniert")
    enrollment = Enrollment.objects.get(user=employee)
    assert enrollment.status == Enrollment.Status.CANCELED


def assert_summary_leads_to_each_field(page):
    """The summary has the focus; each of its links moves it to the field."""
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    links = summary.get_by_role("link")
    assert links.count() > 0

    for index in range(links.count()):
        link = links.nth(index)
        # Back up from the last field into the summary, as a person would.
        tab_to(page, link, backwards=index > 0)
        field_id = link.get_attribute("href").removeprefix("#")
        page.keyboard.press("Enter")
        field = page.locator(f"#{field_id}")
        expect(field).to_be_focused()
        expect(field).to_have_attribute("aria-invalid", "true")
        described_by = field.get_attribute("aria-describedby").split()
        error = page.locator(f"#{field_id}-error")
        assert f"{field_id}-error" in described_by
        expect(error).to_be_visible()
        assert error.inner_text().strip() in link.inner_text()
    return links.count()


@pytest.mark.parametrize(
    ("url_name", "button", "fields"),
    [
        ("accounts:signup", "Registrieren", 9),
        ("accounts:login", "Anmelden", 2),
        ("accounts:password_reset", "Link senden", 1),
    ],
)
def test_error_summary_takes_the_focus_and_links_to_each_field(
    url_name, button, fields, live_server, page, reference_data
):
    page.goto(live_server.url + reverse(url_name))
    activate(page, page.locator("main").get_by_role("button", name=button))

    assert assert_summary_leads_to_each_field(page) == fields


def test_error_summary_on_meine_daten_by_keyboard(live_server, page):
    employee = UserFactory()
    log_in_by_keyboard(page, live_server.url, employee.login_id, TEST_PASSWORD)
    activate(page, page.get_by_role("link", name="Meine Daten"))
    activate(page, page.get_by_role("link", name="Name, Telefon und Dienststelle"))
    for label in ["Vorname", "Nachname"]:
        tab_to(page, page.get_by_label(label))
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
    activate(page, page.get_by_role("button", name="Speichern"))

    assert assert_summary_leads_to_each_field(page) == 2
    employee.refresh_from_db()
    assert employee.first_name == "Erika"
