import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory


@pytest.mark.parametrize("url_name", ["home", "accounts:login", "accounts:signup"])
def test_pages_forbid_inline_script_framing_and_referrers(client, db, url_name):
    response = client.get(reverse(url_name))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_http_only_and_same_site_lax(client, db):
    UserFactory(login_id="10000001")

    response = client.post(
        reverse("accounts:login"), {"username": "10000001", "password": TEST_PASSWORD}
    )

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_production_settings_demand_https():
    script = (
        "import json, portal.settings as s; print(json.dumps([s.SECURE_HSTS_SECONDS,"
        " s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE]))"
    )
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
    }
    env.pop("PORTAL_SSL_REDIRECT", None)

    output = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    hsts_seconds, redirect, session_secure, csrf_secure = json.loads(output)
    assert hsts_seconds >= 31536000
    assert redirect and session_secure and csrf_secure
