"""Personal-data fields tell browsers what they hold (WCAG 1.3.5).

Every input and select of the forms is listed with its expected token, so
that a new field without one fails here too.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

FIELDS_WITHOUT_TOKEN = {"csrfmiddlewaretoken", "next"}


class FieldTokens(HTMLParser):
    """Collect name -> autocomplete of the fields inside <main>."""

    def __init__(self):
        super().__init__()
        self.in_main = False
        self.tokens = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.in_main = True
        elif (
            self.in_main
            and tag in {"input", "select", "textarea"}
            and attrs.get("type") != "hidden"
        ):
            self.tokens[attrs["name"]] = attrs.get("autocomplete")

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False


def tokens(response):
    assert response.status_code == 200
    parser = FieldTokens()
    parser.feed(response.content.decode())
    return {
        name: token
        for name, token in parser.tokens.items()
        if name not in FIELDS_WITHOUT_TOKEN
    }


def test_sign_up_fields_carry_autocomplete_tokens(client, reference_data):
    assert tokens(client.get(reverse("accounts:signup"))) == {
        # The LBV personnel number has no token; browsers must not guess it.
        "personnel_number": "off",
        "login_id": "username",
        "password1": "new-password",
        "password2": "new-password",
        "first_name": "given-name",
        "last_name": "family-name",
        "email": "email",
        "phone": "tel",
        # The Ressort is a choice of the portal's own, not a personal datum.
        "ministry": None,
        "service_office": "organization",
        "career_group": None,
    }


def test_login_fields_carry_autocomplete_tokens(client):
    assert tokens(client.get(reverse("accounts:login"))) == {
        "username": "username",
        "password": "current-password",
    }


@pytest.mark.parametrize(
    ("url_name", "expected"),
    [
        (
            "accounts:profile_update",
            {
                "first_name": "given-name",
                "last_name": "family-name",
                "phone": "tel",
                "service_office": "organization",
            },
        ),
        (
            "accounts:email_change",
            {"email": "email", "password": "current-password"},
        ),
        (
            "accounts:password_change",
            {
                "old_password": "current-password",
                "new_password1": "new-password",
                "new_password2": "new-password",
            },
        ),
    ],
)
def test_meine_daten_fields_carry_autocomplete_tokens(
    url_name, expected, client, employee
):
    client.force_login(employee)

    assert tokens(client.get(reverse(url_name))) == expected
