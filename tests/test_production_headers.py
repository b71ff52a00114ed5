"""Headers and cookies of the production configuration, page by page.

The portal runs as the image runs it (gunicorn, DJANGO_DEBUG=false, behind a
TLS proxy), so every header comes from the production settings, not from the
test settings. The server shares the test database and the secret key, so
sessions made here are valid there.
"""

import re
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import set_up_role_groups
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory
from tests.production import free_port, production_environment, serving

PASSWORD = "Produktions-Kennwort-2026"

pytestmark = pytest.mark.django_db(transaction=True)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A client for the server over the TLS proxy: keeps cookies by hand,
    since the production cookies are Secure and the proxy leg is plain http."""

    def __init__(self, base):
        self.base = base
        self.cookies = {}
        self.opener = urllib.request.build_opener(NoRedirects)

    def request(self, path, data=None):
        headers = {
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if data is not None:
            token = self.cookies["__Host-csrftoken"]
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token})
            headers["Referer"] = f"https://127.0.0.1:{self.base.rsplit(':', 1)[1]}/"
        request = urllib.request.Request(
            self.base + path, data=body and body.encode(), headers=headers
        )
        try:
            response = self.opener.open(request, timeout=20)  # noqa: S310
        except urllib.error.HTTPError as error:
            response = error
        response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path):
        return self.request(path)

    def post(self, path, data):
        return self.request(path, data)


@pytest.fixture
def server(tmp_path):
    env = production_environment(tmp_path, DJANGO_SECRET_KEY=settings.SECRET_KEY)
    with serving(env, [free_port()], tmp_path) as (port,):
        yield f"http://127.0.0.1:{port}"


def signed_in(base, user, *, second_factor=False):
    """A browser holding a session of the user, made in the shared database."""
    client = Client()
    client.force_login(user)
    if second_factor:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    browser = Browser(base)
    browser.cookies["__Host-sessionid"] = client.cookies[
        settings.SESSION_COOKIE_NAME
    ].value
    return browser


def assert_protective_headers(response, path):
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";")
    )
    script_sources = directives.get("script-src", directives.get("default-src", ""))
    assert script_sources, path
    assert "'unsafe-inline'" not in script_sources, path
    assert "'unsafe-eval'" not in script_sources, path
    assert directives["frame-ancestors"] == "'none'", path
    assert headers["X-Frame-Options"] == "DENY", path
    assert headers["X-Content-Type-Options"] == "nosniff", path
    assert headers["Referrer-Policy"] == "same-origin", path
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin", path
    hsts = headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts, path
    assert headers["Content-Type"].endswith("charset=utf-8"), path
    assert not re.search(r"\d", headers.get("Server", "")), "no version numbers"


def assert_not_stored(response, path):
    cache_control = response.headers.get("Cache-Control", "")
    assert "no-store" in cache_control, f"{path}: {cache_control!r}"


def test_public_pages_send_every_protective_header(server):
    course = CourseFactory()
    browser = Browser(server)

    for path in [
        "/",
        "/konto/anmelden/",
        "/konto/registrieren/",
        "/veranstaltungen/",
        f"/veranstaltungen/{course.number}/",
        "/verwaltung/login/",
    ]:
        response = browser.get(path)
        assert response.status == 200, path
        assert_protective_headers(response, path)


def test_pages_with_personal_data_are_never_stored(server):
    user = UserFactory()
    enrollment = EnrollmentFactory(user=user)
    browser = signed_in(server, user)

    for path in [
        "/konto/meine-daten/",
        "/konto/meine-daten/bearbeiten/",
        "/konto/meine-daten/e-mail/",
        "/konto/meine-daten/passwort/",
        "/konto/meine-daten/zwei-faktor/",
        "/veranstaltungen/meine-bildungsmassnahmen/",
        f"/veranstaltungen/meine-bildungsmassnahmen/{enrollment.pk}/stornieren/",
        f"/veranstaltungen/meine-bildungsmassnahmen/{enrollment.pk}/storniert/",
    ]:
        response = browser.get(path)
        assert response.status == 200, path
        assert_not_stored(response, path)
        assert_protective_headers(response, path)


def test_password_reset_pages_are_never_stored(server, tmp_path):
    user = UserFactory()
    token = default_token_generator.make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    browser = Browser(server)

    for path in [
        "/konto/kennwort-vergessen/",
        "/konto/kennwort-vergessen/gesendet/",
        "/konto/nutzerkennung-vergessen/",
        "/konto/nutzerkennung-vergessen/gesendet/",
    ]:
        response = browser.get(path)
        assert response.status == 200, path
        assert_not_stored(response, path)

    link = f"/konto/kennwort-vergessen/{uid}/{token}/"
    redirect = browser.get(link)
    assert redirect.status == 302
    assert_not_stored(redirect, link)
    set_password_page = redirect.headers["Location"]
    response = browser.get(set_password_page)
    assert response.status == 200
    assert_not_stored(response, set_password_page)
    assert_protective_headers(response, set_password_page)

    done = browser.post(
        set_password_page, {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert done.status == 302
    response = browser.get(done.headers["Location"])
    assert response.status == 200
    assert_not_stored(response, "the page after the reset")
    (log_file,) = tmp_path.glob("gunicorn-*.log")
    access_log = log_file.read_text()
    assert f"/konto/kennwort-vergessen/{uid}/[redacted]/" in access_log
    assert token not in access_log


def test_admin_pages_are_never_stored(server):
    set_up_role_groups()
    officer = UserFactory(is_staff=True, is_superuser=True)
    employee = UserFactory()
    browser = signed_in(server, officer, second_factor=True)

    for path in [
        "/verwaltung/",
        "/verwaltung/accounts/user/",
        f"/verwaltung/accounts/user/{employee.pk}/change/",
        "/verwaltung/accounts/auditentry/",
    ]:
        response = browser.get(path)
        assert response.status == 200, path
        assert_not_stored(response, path)
        assert_protective_headers(response, path)


def test_session_and_csrf_cookies_are_host_only_secure_and_same_site(server):
    # Hashed as production can check it (the tests hash with MD5 for speed).
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user = UserFactory(login_id="10000042")
    user.password = hashed
    user.save(update_fields=["password"])
    browser = Browser(server)
    page = browser.get("/konto/anmelden/")

    response = browser.post(
        "/konto/anmelden/", {"username": "10000042", "password": PASSWORD}
    )

    assert response.status == 302
    cookies = SimpleCookie()
    for header in page.headers.get_all("Set-Cookie") + response.headers.get_all(
        "Set-Cookie"
    ):
        cookies.load(header)
    assert set(cookies) == {"__Host-csrftoken", "__Host-sessionid"}
    for name, morsel in cookies.items():
        assert morsel["secure"] is True, name
        assert morsel["path"] == "/", name
        assert morsel["domain"] == "", name
        assert morsel["samesite"] == "Lax", name
        assert morsel["httponly"] is True, name
