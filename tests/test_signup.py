import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, User
from orgunits.models import CareerGroup, OrgUnit, ServiceOffice
from tests.factories import TEST_PASSWORD, UserFactory


@pytest.fixture
def signup_data(reference_data):
    office = ServiceOffice.objects.get(code="B1101")  # Amtsgericht Achern
    return {
        "personnel_number": "01234567/123A",
        "login_id": "",
        "first_name": "Erika",
        "last_name": "Muster",
        "email": "erika.muster@example.org",
        "phone": "",
        "ministry": office.ministry.pk,
        "service_office": office.pk,
        "career_group": CareerGroup.objects.get(code="GD").pk,
        "password1": TEST_PASSWORD,
        "password2": TEST_PASSWORD,
    }


def test_signup_page_offers_only_selectable_offices(client, reference_data):
    response = client.get(reverse("accounts:signup"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Amtsgericht Achern" in html
    dissolved = ServiceOffice.objects.get(code="B1301")
    assert f'value="{dissolved.pk}"' not in html


def test_signup_derives_login_id_from_personnel_number(client, signup_data):
    response = client.post(reverse("accounts:signup"), signup_data)

    assert response.status_code == 302
    user = User.objects.get()
    assert user.login_id == "01234567"
    assert user.personnel_number == "01234567"
    assert user.check_password(TEST_PASSWORD)
    assert AuditEntry.objects.filter(action="account.registered").count() == 1


def test_signup_assigns_the_org_unit_of_the_superior_office(client, signup_data):
    client.post(reverse("accounts:signup"), signup_data)

    user = User.objects.get()
    assert user.org_unit == OrgUnit.objects.get(
        service_office__code="B1100", career_group__code="GD"
    )


def test_signup_with_chosen_login_id(client, signup_data):
    signup_data["login_id"] = "  erika.muster "

    client.post(reverse("accounts:signup"), signup_data)

    assert User.objects.get().login_id == "erika.muster"


@pytest.mark.parametrize("taken", ["erika.muster", "ERIKA.muster", " Erika.Muster "])
def test_signup_with_taken_login_id_is_refused(client, signup_data, taken):
    UserFactory(login_id="Erika.Muster", personnel_number="99999999")
    signup_data["login_id"] = taken

    response = client.post(reverse("accounts:signup"), signup_data)

    assert response.status_code == 200
    assert "ist bereits vergeben" in response.context["form"].errors["login_id"][0]
    assert User.objects.count() == 1


def test_signup_whose_derived_login_id_is_taken_says_so(client, signup_data):
    UserFactory(login_id="01234567", personnel_number="99999999")

    response = client.post(reverse("accounts:signup"), signup_data)

    assert (
        "ist bereits vergeben" in response.context["form"].errors["personnel_number"][0]
    )
    assert User.objects.count() == 1


def test_signup_with_personnel_number_in_use_is_refused(client, signup_data):
    UserFactory(login_id="someone", personnel_number="01234567")
    signup_data["login_id"] = "erika.muster"

    response = client.post(reverse("accounts:signup"), signup_data)

    assert "Personalnummer" in response.context["form"].errors["personnel_number"][0]
    assert User.objects.count() == 1


def test_signup_with_malformed_personnel_number_is_refused(client, signup_data):
    signup_data["personnel_number"] = "1234567"

    response = client.post(reverse("accounts:signup"), signup_data)

    assert "acht Ziffern" in response.context["form"].errors["personnel_number"][0]
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "weak",
    # "Elf-Zeichen" has eleven characters: one short of the minimum of 12.
    ["12345678901", "kurz", "Elf-Zeichen", "qwertyuiop", "erika.muster@example"],
)
def test_signup_with_weak_password_is_refused(client, signup_data, weak):
    signup_data["password1"] = signup_data["password2"] = weak

    response = client.post(reverse("accounts:signup"), signup_data)

    assert response.context["form"].errors["password2"]
    assert not User.objects.exists()


def test_signup_with_office_of_another_ministry_is_refused(client, signup_data):
    signup_data["service_office"] = ServiceOffice.objects.get(code="X-FM").pk

    response = client.post(reverse("accounts:signup"), signup_data)

    assert response.context["form"].errors["service_office"]
    assert not User.objects.exists()


def test_signup_with_dissolved_office_is_refused(client, signup_data):
    signup_data["service_office"] = ServiceOffice.objects.get(code="B1301").pk

    response = client.post(reverse("accounts:signup"), signup_data)

    assert response.context["form"].errors["service_office"]
    assert not User.objects.exists()


def test_signup_ignores_posted_staff_flags(client, signup_data):
    signup_data.update(is_staff="on", is_superuser="on", org_unit="1")

    client.post(reverse("accounts:signup"), signup_data)

    user = User.objects.get()
    assert user.is_staff is False
    assert user.is_superuser is False


def test_signup_errors_are_tied_to_their_fields(client, signup_data):
    signup_data["personnel_number"] = "abc"

    response = client.post(reverse("accounts:signup"), signup_data)

    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert (
        'aria-describedby="id_personnel_number-error id_personnel_number_helptext"'
        in html
    )
    assert 'href="#id_personnel_number"' in html


CONFIRM_LINK = re.compile(
    r"http://127\.0\.0\.1:8000(/konto/registrieren/bestaetigen/\S+/)"
)


def confirmation_link():
    (path,) = CONFIRM_LINK.findall(mail.outbox[-1].body)
    return path


def test_new_account_works_only_after_confirmation(client, signup_data):
    client.post(reverse("accounts:signup"), signup_data)

    refused = Client().post(
        reverse("accounts:login"),
        {"username": "01234567", "password": TEST_PASSWORD},
    )

    assert User.objects.get().is_active is False
    assert mail.outbox[0].to == ["erika.muster@example.org"]
    assert refused.status_code == 200


def test_confirmation_activates_and_logs_in(client, signup_data):
    client.post(reverse("accounts:signup"), signup_data)

    response = client.post(confirmation_link())

    assert response.url == reverse("accounts:signup_done")
    assert User.objects.get().is_active is True
    assert client.get(reverse("accounts:signup_done")).status_code == 200


def test_confirmation_page_alone_does_not_activate(client, signup_data):
    client.post(reverse("accounts:signup"), signup_data)

    response = client.get(confirmation_link())

    assert response.status_code == 200
    assert User.objects.get().is_active is False


def test_confirmation_link_works_once(client, signup_data):
    client.post(reverse("accounts:signup"), signup_data)
    path = confirmation_link()
    client.post(path)
    client.logout()
    User.objects.update(is_active=False)

    response = client.post(path)

    assert response.status_code == 400
    assert User.objects.get().is_active is False


def test_confirmation_link_expires(client, signup_data, time_machine):
    time_machine.move_to("2026-03-02 09:00 +01:00", tick=False)
    client.post(reverse("accounts:signup"), signup_data)

    time_machine.move_to("2026-03-05 09:01 +01:00", tick=False)
    response = client.post(confirmation_link())

    assert response.status_code == 400
    assert User.objects.get().is_active is False


@pytest.mark.parametrize("token", ["abc", "eyJ1c2VyIjoxfQ:1tQ:forged"])
def test_forged_confirmation_link_is_refused(client, signup_data, token):
    client.post(reverse("accounts:signup"), signup_data)

    response = client.post(reverse("accounts:signup_confirm", args=[token]))

    assert response.status_code == 400
    assert User.objects.get().is_active is False


def test_eight_digit_login_id_must_be_the_own_personnel_number(client, signup_data):
    signup_data["login_id"] = "20000020"

    response = client.post(reverse("accounts:signup"), signup_data)

    assert "eigene Personalnummer" in response.context["form"].errors["login_id"][0]
    assert not User.objects.exists()


def test_stale_unconfirmed_sign_up_gives_way_to_a_new_one(
    client, signup_data, settings
):
    settings.PORTAL_SIGNUP_CONFIRM_SECONDS = 60
    stale = UserFactory(
        login_id="01234567",
        personnel_number="01234567",
        is_active=False,
        date_joined=timezone.now() - timedelta(minutes=5),
    )

    response = client.post(reverse("accounts:signup"), signup_data)

    assert response.status_code == 302, response.context["form"].errors
    assert not User.objects.filter(pk=stale.pk).exists()
    assert User.objects.get().email == "erika.muster@example.org"


def test_fresh_unconfirmed_sign_up_still_holds_its_number(client, signup_data):
    UserFactory(login_id="01234567", personnel_number="01234567", is_active=False)

    response = client.post(reverse("accounts:signup"), signup_data)

    assert response.status_code == 200
    assert User.objects.count() == 1


@pytest.mark.parametrize("chosen", ["ab", "erika muster!", "ümlaut", "x" * 31])
def test_chosen_login_id_must_have_the_allowed_form(client, signup_data, chosen):
    signup_data["login_id"] = chosen

    response = client.post(reverse("accounts:signup"), signup_data)

    assert response.context["form"].errors["login_id"]
    assert not User.objects.exists()


def test_taken_login_id_is_reported_once(client, signup_data):
    UserFactory(login_id="erika.muster", personnel_number="99999999")
    signup_data["login_id"] = "Erika.Muster"

    response = client.post(reverse("accounts:signup"), signup_data)

    assert response.context["form"].non_field_errors() == []


def test_long_password_with_spaces_and_emoji_is_kept_whole(client, signup_data):
    # ASVS 2.1.2-2.1.4: 128 characters, any printable Unicode, no truncation.
    password = ("Mein Kennwort 🦉 für das Portal ä " * 4)[:128]
    signup_data.update(password1=password, password2=password)

    response = client.post(reverse("accounts:signup"), signup_data)

    assert response.status_code == 302
    user = User.objects.get()
    assert user.check_password(password)
    assert not user.check_password(password[:-1])


def test_password_built_on_the_personnel_number_is_refused(client, signup_data):
    number = signup_data["personnel_number"][:8]
    signup_data["password1"] = signup_data["password2"] = f"{number}xyzw"

    response = client.post(reverse("accounts:signup"), signup_data)

    assert response.context["form"].errors["password2"]
    assert not User.objects.exists()
