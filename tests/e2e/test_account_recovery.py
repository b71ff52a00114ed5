import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.roles import TRAINING_OFFICER
from accounts.services import set_up_role_groups
from tests.factories import TEST_PASSWORD, MinistryFactory, UserFactory, totp_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Neues-Kennwort-Lang-42"


def log_in(page, base_url, login_id, password):
    page.goto(base_url + reverse("accounts:login"))
    page.get_by_label("Nutzerkennung").fill(login_id)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()


def test_legacy_employee_resets_the_password_by_mail_and_logs_in(
    live_server, page, smtp_server, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    UserFactory(
        login_id="01234567", email="erika@example.org", must_reset_password=True
    )

    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_role("link", name="Kennwort vergessen").click()
    page.get_by_label("Nutzerkennung").fill("01234567")
    page.get_by_role("button", name="Link senden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bitte prüfen Sie Ihre E-Mails"
    )

    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "erika@example.org"
    (link,) = re.findall(
        r"http://\S+/kennwort-vergessen/\S+/\S+/", smtp_server.bodies()[0]
    )
    page.goto(link)
    page.get_by_label("Neues Passwort", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Neues Passwort bestätigen").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Passwort speichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Passwort geändert")

    log_in(page, live_server.url, "01234567", NEW_PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_have_text("Veranstaltungen")


def test_officer_unlocks_a_locked_employee_in_the_admin(live_server, page, browser):
    justice = MinistryFactory(code="JUM")
    employee = UserFactory(login_id="01234567", ministry=justice, last_name="Gesperrt")
    set_up_role_groups()
    officer = UserFactory(login_id="officer.jum", ministry=justice, is_staff=True)
    officer.groups.add(Group.objects.get(name=TRAINING_OFFICER))
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)

    for _ in range(5):
        log_in(page, live_server.url, "01234567", "falsches-Passwort")
    log_in(page, live_server.url, "01234567", TEST_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Anmeldung vorübergehend gesperrt"
    )

    officer_page = browser.new_context(locale="de-DE").new_page()
    officer_page.goto(live_server.url + reverse("admin:accounts_user_changelist"))
    officer_page.get_by_label("Nutzerkennung").fill("officer.jum")
    officer_page.get_by_label("Passwort").fill(TEST_PASSWORD)
    officer_page.get_by_role("button", name="Anmelden").click()
    officer_page.get_by_label("Code").fill(totp_token(device))
    officer_page.get_by_role("button", name="Bestätigen").click()
    row = officer_page.get_by_role("row").filter(has_text=employee.last_name)
    expect(row).to_contain_text("vorübergehend gesperrt")
    row.get_by_role("checkbox").check()
    officer_page.locator("select[name=action]").select_option(label="Entsperren")
    officer_page.get_by_role("button", name="Ausführen").click()
    expect(officer_page.get_by_text("1 Konto entsperrt.")).to_be_visible()
    officer_page.context.close()

    log_in(page, live_server.url, "01234567", TEST_PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_have_text("Veranstaltungen")
