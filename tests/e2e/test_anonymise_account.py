import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.roles import TRAINING_OFFICER
from accounts.services import set_up_role_groups
from courses.models import Enrollment
from tests.factories import (
    TEST_PASSWORD,
    CourseFactory,
    EnrollmentFactory,
    UserFactory,
    totp_token,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_downloads_the_record_and_anonymises_an_account(live_server, page):
    set_up_role_groups()
    person = UserFactory(first_name="Eberhardine", last_name="Zwirbelmeier")
    EnrollmentFactory(user=person, course=CourseFactory(capacity=1))
    officer = UserFactory(ministry=person.ministry, is_staff=True)
    officer.groups.add(Group.objects.get(name=TRAINING_OFFICER))
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)

    page.goto(live_server.url + reverse("admin:index"))
    page.get_by_label("Nutzerkennung").fill(officer.login_id)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zweiter Faktor")
    page.get_by_label("Code").fill(totp_token(device))
    page.get_by_role("button", name="Bestätigen").click()

    expect(page).to_have_url(live_server.url + reverse("admin:index"))
    page.goto(live_server.url + reverse("admin:accounts_user_changelist"))
    page.get_by_role(
        "checkbox", name="Dieses Objekt für eine Aktion auswählen - Eberhardine"
    ).check()
    page.get_by_role("combobox", name="Aktion").select_option(
        label="Ausgewählte Konten anonymisieren"
    )
    page.get_by_role("button", name="Ausführen").click()

    expect(page.get_by_text("Das lässt sich nicht rückgängig machen.")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role(
            "link", name="Bildungsnachweis von Eberhardine Zwirbelmeier"
        ).click()
    assert download_info.value.suggested_filename == f"bildungsnachweis-{person.pk}.csv"
    page.get_by_role("button", name="Unwiderruflich anonymisieren").click()

    expect(page.get_by_text("1 Konto wurde anonymisiert.")).to_be_visible()
    expect(page.get_by_text("Zwirbelmeier")).to_have_count(0)
    person.refresh_from_db()
    assert person.anonymised_at is not None
    assert person.enrollments.get().status == Enrollment.Status.CANCELED
