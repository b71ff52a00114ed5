import pytest
from django.urls import reverse

from accounts.models import Session
from tests.factories import TEST_PASSWORD, UserFactory


@pytest.mark.parametrize(
    "typed", ["10000001", " 10000001", "10000001 ", "\t10000001\u00a0"]
)
def test_login_ignores_white_space_around_login_id(client, db, typed):
    UserFactory(login_id="10000001")

    response = client.post(
        reverse("accounts:login"), {"username": typed, "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("courses:course_list")


def test_login_is_case_insensitive(client, db):
    UserFactory(login_id="Erika.Muster")

    response = client.post(
        reverse("accounts:login"),
        {"username": "erika.muster", "password": TEST_PASSWORD},
    )

    assert response.status_code == 302


def test_wrong_password_gives_german_error(client, db):
    UserFactory(login_id="10000001")

    response = client.post(
        reverse("accounts:login"), {"username": "10000001", "password": "falsch"}
    )

    assert response.status_code == 200
    assert "Nutzerkennung oder Passwort" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_page_has_the_labels_users_know(client, db):
    response = client.get(reverse("accounts:login"))

    html = response.content.decode()
    assert ">\n    Nutzerkennung" in html or ">Nutzerkennung" in html
    assert "Passwort" in html
    assert "Kennwort vergessen" in html


def test_logout_needs_post(client, employee):
    client.force_login(employee)

    client.get(reverse("accounts:logout"))
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session_row_and_clears_the_browser(client, employee):
    client.force_login(employee)
    session_key = client.session.session_key

    response = client.post(reverse("accounts:logout"))

    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert not Session.objects.filter(session_key=session_key).exists()


def test_login_gives_a_new_session_key(client, employee):
    client.get(reverse("accounts:login"))
    session = client.session
    session["before_login"] = True
    session.save()
    key_before = session.session_key

    client.post(
        reverse("accounts:login"),
        {"username": employee.login_id, "password": TEST_PASSWORD},
    )

    assert client.session.session_key != key_before
    assert "_auth_user_id" in client.session


def test_account_that_must_reset_cannot_log_in(client, db):
    UserFactory(login_id="10000009", must_reset_password=True)

    response = client.post(
        reverse("accounts:login"), {"username": "10000009", "password": TEST_PASSWORD}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_opening_the_logout_address_offers_the_button(client, employee):
    client.force_login(employee)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 200
    assert "Möchten Sie sich" in response.content.decode()
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("typed", ["10000001/123A", " 10000001 / 123a"])
def test_login_accepts_the_personnel_number_with_its_suffix(client, db, typed):
    UserFactory(login_id="10000001")

    response = client.post(
        reverse("accounts:login"), {"username": typed, "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
