import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD, UserFactory, totp_token


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


def set_up(client, user):
    """Walk through the setup page; return the recovery codes shown."""
    client.force_login(user)
    client.get(reverse("accounts:second_factor_setup"))
    device = TOTPDevice.objects.get(user=user)
    response = client.post(
        reverse("accounts:second_factor_setup"), {"token": totp_token(device)}
    )
    return re.findall(r"<li><code>(\w+)</code></li>", response.content.decode())


def login(client, user):
    client.logout()
    client.post(
        reverse("accounts:login"),
        {"username": user.login_id, "password": TEST_PASSWORD},
    )


def test_admin_login_sends_staff_without_device_to_the_setup(client, staff):
    client.post(
        reverse("admin:login") + "?next=/verwaltung/",
        {"username": staff.login_id, "password": TEST_PASSWORD},
    )

    response = client.get(reverse("admin:index"), follow=True)

    path, status = response.redirect_chain[-1]
    assert path == reverse("accounts:second_factor_setup") + "?next=%2Fverwaltung%2F"
    assert "QR-Code" in response.content.decode()


def test_setup_page_shows_qr_code_and_key(client, staff):
    client.force_login(staff)

    response = client.get(reverse("accounts:second_factor_setup"))

    assert "<svg" in response.content.decode()
    assert TOTPDevice.objects.get(user=staff).confirmed is False


def test_wrong_code_does_not_switch_the_factor_on(client, staff):
    client.force_login(staff)
    client.get(reverse("accounts:second_factor_setup"))

    response = client.post(reverse("accounts:second_factor_setup"), {"token": "000000"})

    assert response.status_code == 200
    assert "token" in response.context["form"].errors
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def test_setup_shows_ten_recovery_codes_and_opens_the_admin(client, staff):
    codes = set_up(client, staff)

    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=staff).count() == 10
    assert client.get(reverse("admin:index")).status_code == 200


def test_after_login_the_code_is_asked_before_any_page(client, staff):
    set_up(client, staff)
    login(client, staff)

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:second_factor_verify"))


def test_current_code_verifies_the_login(client, staff):
    set_up(client, staff)
    login(client, staff)
    device = TOTPDevice.objects.get(user=staff)
    device.last_t = -1
    device.save()

    response = client.post(
        reverse("accounts:second_factor_verify") + "?next=/verwaltung/",
        {"token": totp_token(device)},
    )

    assert response.status_code == 302
    assert response.url == "/verwaltung/"
    assert client.get(reverse("admin:index")).status_code == 200


def test_recovery_code_works_exactly_once(client, staff):
    code = set_up(client, staff)[0]
    login(client, staff)
    client.post(reverse("accounts:second_factor_verify"), {"token": code})
    login(client, staff)

    response = client.post(reverse("accounts:second_factor_verify"), {"token": code})

    assert response.status_code == 200
    assert "token" in response.context["form"].errors


def test_verify_refuses_a_foreign_next_address(client, staff):
    code = set_up(client, staff)[0]
    login(client, staff)

    response = client.post(
        reverse("accounts:second_factor_verify") + "?next=https://example.org/",
        {"token": code},
    )

    assert response.url == reverse("courses:course_list")


def test_employee_switches_the_factor_on_and_off(client, employee):
    set_up(client, employee)
    assert TOTPDevice.objects.filter(user=employee, confirmed=True).exists()

    response = client.post(
        reverse("accounts:second_factor_remove"), {"password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=employee).exists()


def test_owner_is_told_when_the_factor_goes_on_and_off(client, employee):
    set_up(client, employee)
    client.post(reverse("accounts:second_factor_remove"), {"password": "falsch"})
    client.post(reverse("accounts:second_factor_remove"), {"password": TEST_PASSWORD})

    assert [message.to for message in mail.outbox] == [[employee.email]] * 2
    switched_on, switched_off = mail.outbox
    assert switched_on.subject == "Zwei-Faktor-Anmeldung eingeschaltet"
    assert switched_off.subject == "Zwei-Faktor-Anmeldung ausgeschaltet"


def test_switching_off_needs_the_password(client, employee):
    set_up(client, employee)

    client.post(reverse("accounts:second_factor_remove"), {"password": "falsch"})

    assert TOTPDevice.objects.filter(user=employee, confirmed=True).exists()


def test_staff_cannot_switch_the_factor_off_themselves(client, staff):
    set_up(client, staff)

    client.post(reverse("accounts:second_factor_remove"), {"password": TEST_PASSWORD})

    assert TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def test_renewed_recovery_codes_replace_the_old_ones(client, employee):
    old_codes = set_up(client, employee)

    response = client.post(reverse("accounts:recovery_codes_renew"))

    new_codes = re.findall(r"<li><code>(\w+)</code></li>", response.content.decode())
    assert len(new_codes) == 10
    remaining = set(
        StaticToken.objects.filter(device__user=employee).values_list(
            "token", flat=True
        )
    )
    assert remaining == set(new_codes)
    assert not remaining & set(old_codes)
