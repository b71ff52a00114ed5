"""Two app instances on one PostgreSQL share sessions and lockouts."""

import http.client
import re

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory
from tests.production import free_port, production_environment, serving

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="several app instances need a shared PostgreSQL; SQLite is "
        "one local file",
    ),
]

LOCKOUT_FAILURES = 3
# The instances run with production settings, which prefix the cookie.
SESSION_COOKIE = "__Host-sessionid"


class Instance:
    """One gunicorn process started with the image's command."""

    def __init__(self, port):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"

    def request(self, method, path, *, cookies=None, form=None):
        headers = {"X-Forwarded-Proto": "https"}
        body = None
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            body = "&".join(f"{k}={v}" for k, v in form.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read().decode()
        conn.close()
        set_cookies = {
            match.group(1): match.group(2)
            for name, value in response.getheaders()
            if name.lower() == "set-cookie"
            for match in [re.match(r"([^=]+)=([^;]*)", value)]
        }
        return response.status, set_cookies, content

    def log_in(self, login_id, password):
        """Submit the login form as a browser does; return status, cookies."""
        path = reverse("accounts:login")
        _, cookies, page = self.request("GET", path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        status, new_cookies, _ = self.request(
            "POST",
            path,
            cookies=cookies,
            form={
                "csrfmiddlewaretoken": token.group(1),
                "username": login_id,
                "password": password,
            },
        )
        return status, {**cookies, **new_cookies}


@pytest.fixture
def two_instances(tmp_path):
    env = production_environment(
        tmp_path,
        DJANGO_SECRET_KEY="y" * 60,
        PORTAL_LOCKOUT_FAILURES=str(LOCKOUT_FAILURES),
    )
    with serving(env, [free_port(), free_port()], tmp_path) as ports:
        yield [Instance(port) for port in ports]


@pytest.fixture
def account():
    # The servers run the production hashers, not the tests' fast one; a
    # PBKDF2 hash with few iterations is one they verify quickly.
    user = UserFactory()
    user.password = PBKDF2PasswordHasher().encode(
        TEST_PASSWORD, "scaleoutsalt", iterations=1000
    )
    user.save(update_fields=["password"])
    return user


def test_lockout_through_one_instance_holds_on_the_other(two_instances, account):
    first, second = two_instances
    for _ in range(LOCKOUT_FAILURES):
        first.log_in(account.login_id, "Falsches-Kennwort-1")

    status, cookies = second.log_in(account.login_id, TEST_PASSWORD)

    assert status == 429
    assert SESSION_COOKIE not in cookies


def test_session_from_one_instance_is_valid_on_the_other(two_instances, account):
    first, second = two_instances
    status, cookies = first.log_in(account.login_id, TEST_PASSWORD)

    page_status, _, _ = second.request(
        "GET",
        reverse("accounts:profile"),
        cookies={SESSION_COOKIE: cookies[SESSION_COOKIE]},
    )

    assert status == 302
    assert page_status == 200
