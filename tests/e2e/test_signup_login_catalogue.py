import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from courses.demo import load_demo_courses
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_employee_signs_up_confirms_logs_in_and_browses_the_catalogue(
    live_server, page, reference_data, smtp_server, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    load_demo_courses()

    page.goto(live_server.url + reverse("accounts:signup"))
    page.get_by_label("LBV-Personalnummer").fill("0123 4567/123A")
    page.get_by_label("Passwort", exact=True).fill(TEST_PASSWORD)
    page.get_by_label("Passwort bestätigen").fill(TEST_PASSWORD)
    page.get_by_label("Vorname").fill("Erika")
    page.get_by_label("Nachname").fill("Muster")
    page.get_by_label("E-Mail-Adresse").fill("erika.muster@example.org")
    page.get_by_label("Ressort").select_option(
        label="Ministerium der Justiz und für Migration"
    )
    page.get_by_label("Dienststelle").select_option(label="Amtsgericht Achern")
    page.get_by_label("Laufbahngruppe").select_option(label="gehobener Dienst")
    page.get_by_role("button", name="Registrieren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "E-Mail-Adresse bestätigen"
    )

    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "erika.muster@example.org"
    (link,) = re.findall(r"http://\S+/bestaetigen/\S+/", smtp_server.bodies()[0])
    page.goto(link)
    page.get_by_role("button", name="E-Mail-Adresse bestätigen").click()

    expect(page.get_by_text("Ihre Nutzerkennung lautet")).to_contain_text("01234567")

    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("link", name="Anmelden").first).to_be_visible()

    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Nutzerkennung").fill(" 01234567 ")
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()

    expect(page).to_have_title("Veranstaltungen – Bildungsportal")
    expect(page.get_by_role("heading", level=1)).to_have_text("Veranstaltungen")
    expect(page.get_by_text("17 Veranstaltungen gefunden")).to_be_visible()
    first_course = page.locator(".portal-course a").first
    title = first_course.inner_text()
    first_course.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("Anmeldeschluss")).to_be_visible()
