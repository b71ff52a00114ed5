"""Session lifetime: the idle window, its renewal and the maximum length."""

import re
import time

from django.conf import settings
from django.test import Client
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


def test_extending_renews_the_idle_window_at_once(client, employee, settings):
    client.force_login(employee)
    set_session_times(client, started_ago=10, renewed_ago=10)
    before = expiry(client)

    response = client.post(reverse("session_extend"), HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert expiry(client) > before
    left = response.json()["expires_in"]
    assert settings.SESSION_COOKIE_AGE - 5 <= left <= settings.SESSION_COOKIE_AGE


def test_extending_stops_at_the_maximum_lifetime(client, employee, settings):
    client.force_login(employee)
    longest = settings.PORTAL_SESSION_MAX_SECONDS
    set_session_times(client, started_ago=longest - 100, renewed_ago=10)

    response = client.post(reverse("session_extend"), HTTP_ACCEPT="application/json")

    assert response.json()["expires_in"] <= 100


def test_an_ended_session_cannot_be_extended(client):
    response = client.post(reverse("session_extend"), HTTP_ACCEPT="application/json")

    assert response.status_code == 401
    assert response.json() == {"expires_in": 0}


def test_extending_without_script_returns_to_the_page(client, employee):
    client.force_login(employee)
    page = reverse("accounts:profile_update")

    back = client.post(reverse("session_extend"), {"next": page})
    away = client.post(reverse("session_extend"), {"next": "https://example.org/"})

    assert back.status_code == away.status_code == 302
    assert back["Location"] == page
    assert away["Location"] == "/"


def test_extending_needs_a_post(client, employee):
    client.force_login(employee)

    assert client.get(reverse("session_extend")).status_code == 405


def test_signed_in_pages_carry_the_warning_and_its_timing(client, employee):
    client.force_login(employee)

    html = client.get(reverse("accounts:profile")).content.decode()

    assert 'id="session-timeout"' in html
    assert 'data-warn-before="300"' in html
    assert "js/session-timeout.js" in html


def test_the_kept_warning_carries_each_requests_own_values(client, employee):
    # The warning's HTML is kept per process (portal_fragments.session_dialog);
    # the seconds left, the token and the page to return to are each request's.
    client.force_login(employee)
    set_session_times(client, started_ago=0, renewed_ago=0)
    first = client.get(reverse("accounts:profile")).content.decode()
    # Near its maximum length: 1,000 seconds left, however active.
    ended_by_length = settings.PORTAL_SESSION_MAX_SECONDS - 1000
    set_session_times(client, started_ago=ended_by_length, renewed_ago=0)

    html = client.get(reverse("courses:course_list") + "?q=a&page=1").content.decode()

    def seconds_left(page):
        return int(re.search(r'data-expires-in="(\d+)"', page)[1])

    assert seconds_left(first) > 1000
    assert 995 <= seconds_left(html) <= 1000
    assert 'name="next" value="/veranstaltungen/?q=a&amp;page=1"' in html
    assert "\x00" not in html
    (token,) = re.findall(
        r'data-session-extend>\s*<input type="hidden" name="csrfmiddlewaretoken" '
        r'value="(\w+)"',
        html,
    )
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.cookies = client.cookies
    response = csrf_client.post(
        reverse("session_extend"), {"csrfmiddlewaretoken": token, "next": "/"}
    )
    assert response.status_code == 302


def test_after_the_session_ended_login_leads_back_to_the_page(
    client, employee, password
):
    page = reverse("accounts:profile_update")

    response = client.get(page)
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith(reverse("accounts:login"))
    response = client.post(
        login_url, {"username": employee.login_id, "password": password}
    )

    assert response["Location"] == page
