"""Session lifetime: the idle window, its renewal and the maximum length."""

import time

from django.urls import reverse

from accounts.models import Session
from portal.middleware import SESSION_RENEWED_KEY, SESSION_STARTED_KEY


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def set_session_times(client, *, started_ago, renewed_ago):
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - started_ago
    session[SESSION_RENEWED_KEY] = time.time() - renewed_ago
    session.save()


def test_login_stamps_the_session_start_and_renewal(client, employee, password):
    client.post(
        reverse("accounts:login"),
        {"username": employee.login_id, "password": password},
    )

    assert SESSION_STARTED_KEY in client.session
    assert SESSION_RENEWED_KEY in client.session


def test_a_request_soon_after_renewal_writes_nothing(client, employee):
    client.force_login(employee)
    set_session_times(client, started_ago=10, renewed_ago=10)
    before = expiry(client)

    client.get(reverse("courses:my_enrollments"))

    assert expiry(client) == before


def test_a_request_after_the_renewal_interval_extends_the_idle_window(
    client, employee, settings
):
    client.force_login(employee)
    interval = settings.PORTAL_SESSION_RENEW_SECONDS
    set_session_times(client, started_ago=interval, renewed_ago=interval)
    before = expiry(client)

    response = client.get(reverse("courses:my_enrollments"))

    assert expiry(client) > before
    assert settings.SESSION_COOKIE_NAME in response.cookies


def test_a_session_ends_after_the_maximum_lifetime(client, employee, settings):
    client.force_login(employee)
    longest = settings.PORTAL_SESSION_MAX_SECONDS
    set_session_times(client, started_ago=longest + 1, renewed_ago=1)

    response = client.get(reverse("courses:my_enrollments"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
