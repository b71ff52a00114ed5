import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import AuditEntry, LoginLock
from accounts.recovery import force_password_reset
from tests.factories import TEST_PASSWORD, UserFactory

NEW_PASSWORD = "Neues-Kennwort-Lang-42"
LINK = re.compile(
    r"http://127\.0\.0\.1:8000(/konto/kennwort-vergessen/[^/\s]+/[^/\s]+/)"
)


def request_reset(client, login_id, **extra):
    return client.post(
        reverse("accounts:password_reset"), {"login_id": login_id}, **extra
    )


def reset_link():
    (path,) = LINK.findall(mail.outbox[-1].body)
    return path


def can_log_in(login_id, password):
    response = Client().post(
        reverse("accounts:login"), {"username": login_id, "password": password}
    )
    return response.status_code == 302


def set_password(client, path, password=NEW_PASSWORD):
    form_url = client.get(path).url
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_reset_mails_a_link_built_from_the_base_url(client, db):
    user = UserFactory(login_id="10000001")

    response = request_reset(client, " 10000001 ", HTTP_HOST="localhost")

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_sent")
    assert mail.outbox[0].to == [user.email]
    assert reset_link()
    assert "localhost" not in mail.outbox[0].body


@pytest.mark.parametrize(
    "typed", ["10000099", "Erika", "10000001x"], ids=["unknown", "other", "lookalike"]
)
def test_reset_for_unknown_login_id_answers_the_same_and_sends_nothing(
    client, db, typed
):
    UserFactory(login_id="10000001")
    known = request_reset(client, "10000001")
    mail.outbox.clear()

    unknown = request_reset(client, typed)

    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert mail.outbox == []


def test_reset_for_inactive_account_sends_nothing(client, db):
    UserFactory(login_id="10000001", is_active=False)

    response = request_reset(client, "10000001")

    assert response.url == reverse("accounts:password_reset_sent")
    assert mail.outbox == []


def test_reset_with_empty_login_id_is_a_form_error(client, db):
    response = request_reset(client, "   ")

    assert response.status_code == 200
    assert response.context["form"].errors["login_id"]


def test_reset_with_foreign_host_header_is_refused_and_sends_nothing(client, db):
    UserFactory(login_id="10000001")

    response = request_reset(client, "10000001", HTTP_HOST="evil.example.org")

    assert response.status_code == 400
    assert mail.outbox == []


def test_new_password_works_and_the_old_one_not(client, db):
    UserFactory(login_id="10000001")
    request_reset(client, "10000001")

    response = set_password(client, reset_link())

    assert response.url == reverse("accounts:password_reset_done")
    assert "geändert" in mail.outbox[-1].subject
    assert can_log_in("10000001", NEW_PASSWORD)
    assert not can_log_in("10000001", TEST_PASSWORD)
    assert AuditEntry.objects.filter(action="account.password_reset_completed").exists()


def test_link_works_only_once(client, db):
    UserFactory(login_id="10000001")
    request_reset(client, "10000001")
    path = reset_link()
    set_password(client, path)

    response = client.get(path, follow=True)

    assert response.context["validlink"] is False


def test_link_expires(client, db, time_machine):
    UserFactory(login_id="10000001")
    time_machine.move_to("2026-03-02 09:00 +01:00", tick=False)
    request_reset(client, "10000001")

    time_machine.move_to("2026-03-02 11:01 +01:00", tick=False)
    response = client.get(reset_link(), follow=True)

    assert response.context["validlink"] is False


def test_link_dies_when_the_email_address_changes(client, db):
    user = UserFactory(login_id="10000001")
    request_reset(client, "10000001")
    user.email = "neu@example.org"
    user.save()

    response = client.get(reset_link(), follow=True)

    assert response.context["validlink"] is False


def test_reset_ends_every_other_session(client, db, django_user_model):
    user = UserFactory(login_id="10000001")
    other = Client()
    other.force_login(user)
    request_reset(client, "10000001")

    set_password(client, reset_link())

    response = other.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_reset_lifts_a_lock(client, db):
    UserFactory(login_id="10000001")
    for _ in range(5):
        client.post(
            reverse("accounts:login"), {"username": "10000001", "password": "x" * 12}
        )
    request_reset(client, "10000001")

    set_password(client, reset_link())
    response = client.post(
        reverse("accounts:login"),
        {"username": "10000001", "password": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert not LoginLock.objects.in_force().exists()


@override_settings(PORTAL_RECOVERY_LIMIT_PER_ACCOUNT=2)
def test_reset_requests_are_limited_per_login_id(client, db):
    UserFactory(login_id="10000001")

    responses = [request_reset(client, "10000001") for _ in range(4)]

    assert {response.url for response in responses} == {
        reverse("accounts:password_reset_sent")
    }
    assert len(mail.outbox) == 2


@override_settings(PORTAL_RECOVERY_LIMIT_PER_ACCOUNT=2)
def test_reset_requests_are_limited_per_email_address(client, db):
    UserFactory(login_id="10000001", email="geteilt@example.org")
    UserFactory(login_id="10000002", email="geteilt@example.org")

    for login_id in ["10000001", "10000002", "10000001"]:
        request_reset(client, login_id)

    assert len(mail.outbox) == 2


@override_settings(PORTAL_RECOVERY_LIMIT_PER_IP=3)
def test_reset_requests_are_limited_per_address(client, db):
    for number in range(4):
        UserFactory(login_id=f"1000000{number}")

    for number in range(4):
        request_reset(client, f"1000000{number}", REMOTE_ADDR="198.51.100.7")
    request_reset(client, "10000003", REMOTE_ADDR="198.51.100.8")

    assert len(mail.outbox) == 4


def test_account_under_forced_reset_cannot_log_in_until_reset(client, db):
    user = UserFactory(login_id="10000001")
    force_password_reset(actor=None, user=user)

    refused = can_log_in("10000001", TEST_PASSWORD)
    request_reset(client, "10000001")
    set_password(client, reset_link())

    assert refused is False
    assert can_log_in("10000001", NEW_PASSWORD)


def test_forced_reset_ends_the_session(client, db):
    user = UserFactory(login_id="10000001")
    client.force_login(user)

    force_password_reset(actor=None, user=user)
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url_name", ["accounts:profile", "courses:my_enrollments"])
def test_session_under_forced_reset_reaches_nothing(client, db, url_name):
    user = UserFactory(login_id="10000001", must_reset_password=True)
    client.force_login(user)

    response = client.get(reverse(url_name))

    assert response.url.startswith(reverse("accounts:login"))


def test_session_under_forced_reset_still_reaches_the_reset(client, db):
    user = UserFactory(login_id="10000001", must_reset_password=True)
    client.force_login(user)

    response = client.get(reverse("accounts:password_reset"))

    assert response.status_code == 200


def test_login_page_explains_the_one_time_reset_to_everyone(client, db):
    response = client.get(reverse("accounts:login"))

    html = response.content.decode()
    assert "November 2021" in html
    assert reverse("accounts:password_reset") in html
    assert reverse("accounts:login_id_reminder") in html


def test_login_id_reminder_mails_every_login_id_of_the_address(client, db):
    UserFactory(login_id="10000001", email="erika@example.org")
    UserFactory(login_id="erika.muster", email="Erika@example.org")

    response = client.post(
        reverse("accounts:login_id_reminder"), {"email": "ERIKA@example.org"}
    )

    assert response.url == reverse("accounts:login_id_reminder_sent")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["erika@example.org"]
    assert "10000001" in mail.outbox[0].body
    assert "erika.muster" in mail.outbox[0].body


def test_login_id_reminder_for_unknown_address_answers_the_same(client, db):
    response = client.post(
        reverse("accounts:login_id_reminder"), {"email": "niemand@example.org"}
    )

    assert response.url == reverse("accounts:login_id_reminder_sent")
    assert mail.outbox == []


@pytest.mark.parametrize("typed", ["", "keine-adresse"])
def test_login_id_reminder_with_bad_address_is_a_form_error(client, db, typed):
    response = client.post(reverse("accounts:login_id_reminder"), {"email": typed})

    assert response.status_code == 200
    assert response.context["form"].errors["email"]
