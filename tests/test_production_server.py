"""The production start command of the Dockerfile, run as the image runs it."""

import re
import urllib.error
import urllib.request

import pytest

from tests.production import free_port, production_environment, serving

pytestmark = pytest.mark.django_db(transaction=True)


def fetch(url):
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def production_server(tmp_path):
    env = production_environment(tmp_path)
    with serving(env, [free_port()], tmp_path) as (port,):
        yield f"http://127.0.0.1:{port}"


def test_image_command_serves_pages_and_static_files(production_server):
    status, headers, body = fetch(production_server + "/konto/anmelden/")

    assert status == 200
    assert "Nutzerkennung" in body.decode()
    stylesheet = re.search(rb'href="(/static/kern/kern\.min\.[0-9a-f]+\.css)"', body)
    assert stylesheet, "the login page must link KERN's hashed stylesheet"
    css_status, css_headers, _ = fetch(production_server + stylesheet.group(1).decode())
    assert css_status == 200
    assert "max-age" in css_headers["Cache-Control"]
    assert headers["X-Frame-Options"] == "DENY"
    assert "max-age=31536000" in headers["Strict-Transport-Security"]


def test_production_cookies_carry_the_host_prefix(production_server):
    _, headers, _ = fetch(production_server + "/konto/anmelden/")

    cookie = headers["Set-Cookie"]
    assert cookie.startswith("__Host-csrftoken=")
    assert "Secure" in cookie
    assert "Path=/" in cookie
    assert "Domain" not in cookie


def test_image_command_answers_health_checks(production_server):
    status, _, body = fetch(production_server + "/health/")

    assert (status, body) == (200, b"ok")
