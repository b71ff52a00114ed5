"""Passwords, tokens and personal data reach neither logs nor error reports.

The flows that handle them run with every logger at DEBUG; then no record
may contain a password, a token from a mailed link, an e-mail address or a
name. A forced error inside the views that take such data must leave them
out of Django's error report too (portal.redaction).
"""

import logging
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.debug import get_exception_reporter_class

from accounts import recovery, services
from accounts import views as account_views
from orgunits.models import CareerGroup, ServiceOffice
from portal.redaction import RedactTokensFilter, redact_path
from tests.factories import TEST_PASSWORD, UserFactory

FIRST_NAME = "Zacharias"
LAST_NAME = "Quellenfeld"
EMAIL = "zacharias.quellenfeld@example.org"
NEW_EMAIL = "z.quellenfeld@example.net"
NEW_PASSWORD = "Ganz-Neues-Kennwort-77"
WRONG_PASSWORD = "Falsches-Kennwort-13"
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def all_logs(caplog):
    """Capture every record of every logger down to DEBUG."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def logged_text(caplog):
    return "\n".join(
        f"{record.getMessage()} {record.__dict__!r}" for record in caplog.records
    )


def assert_absent(text, secrets):
    for secret in secrets:
        assert secret.lower() not in text.lower(), f"{secret!r} was logged"


def last_link():
    return LINK.search(mail.outbox[-1].body).group(0).split("8000", 1)[1]


def link_token(path):
    """The token part of a mailed link (its longest path segment)."""
    return max(path.strip("/").split("/"), key=len)


@pytest.fixture
def signup_data(reference_data):
    office = ServiceOffice.objects.get(code="B1101")
    return {
        "personnel_number": "07654321",
        "login_id": "",
        "first_name": FIRST_NAME,
        "last_name": LAST_NAME,
        "email": EMAIL,
        "phone": "0711 5550101",
        "ministry": office.ministry.pk,
        "service_office": office.pk,
        "career_group": CareerGroup.objects.get(code="GD").pk,
        "password1": TEST_PASSWORD,
        "password2": TEST_PASSWORD,
    }


def test_sign_up_and_confirmation_log_no_personal_data(all_logs, signup_data):
    client = Client()
    assert client.post(reverse("accounts:signup"), signup_data).status_code == 302
    confirm_path = last_link()
    assert client.post(confirm_path).status_code == 302

    assert all_logs.records, "the flow must log something for the test to mean much"
    assert_absent(
        logged_text(all_logs),
        [TEST_PASSWORD, link_token(confirm_path), EMAIL, FIRST_NAME, LAST_NAME],
    )


def test_login_and_password_reset_log_no_secrets(all_logs, db):
    user = UserFactory(first_name=FIRST_NAME, last_name=LAST_NAME, email=EMAIL)
    client = Client()
    login = reverse("accounts:login")
    wrong = client.post(login, {"username": user.login_id, "password": WRONG_PASSWORD})
    assert wrong.status_code == 200
    right = client.post(login, {"username": user.login_id, "password": TEST_PASSWORD})
    assert right.status_code == 302
    client.post(reverse("accounts:logout"))

    client.post(reverse("accounts:password_reset"), {"login_id": user.login_id})
    reset_path = last_link()
    form_path = client.get(reset_path).url
    done = client.post(
        form_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    assert_absent(
        logged_text(all_logs),
        [
            TEST_PASSWORD,
            WRONG_PASSWORD,
            NEW_PASSWORD,
            link_token(reset_path),
            EMAIL,
            FIRST_NAME,
            LAST_NAME,
        ],
    )


def test_meine_daten_changes_log_no_personal_data(all_logs, db):
    user = UserFactory(email=EMAIL)
    client = Client()
    client.force_login(user)

    saved = client.post(
        reverse("accounts:profile_update"),
        {
            "first_name": FIRST_NAME,
            "last_name": LAST_NAME,
            "phone": "0711 5550102",
            "service_office": user.service_office_id,
        },
    )
    assert saved.status_code == 302
    client.post(
        reverse("accounts:email_change"),
        {"email": NEW_EMAIL, "password": TEST_PASSWORD},
    )
    confirm_path = last_link()
    assert client.post(confirm_path).status_code == 302
    user.refresh_from_db()
    assert (user.last_name, user.email) == (LAST_NAME, NEW_EMAIL)

    assert_absent(
        logged_text(all_logs),
        [TEST_PASSWORD, link_token(confirm_path), EMAIL, NEW_EMAIL]
        + [FIRST_NAME, LAST_NAME],
    )


def test_tokens_in_addresses_are_redacted_in_the_log_output():
    """An error on a page with a token in its address logs the address
    through django.request; the configured console handler drops the token."""
    token = "c9k2ab-0123456789abcdef0123456789abcdef"
    console = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactTokensFilter) for f in handler.filters)
    )
    record = logging.getLogger("django.request").makeRecord(
        "django.request",
        logging.ERROR,
        __file__,
        0,
        "Internal Server Error: %s",
        (f"/konto/kennwort-vergessen/MTI/{token}/",),
        None,
    )

    assert console.filter(record)
    line = console.format(record)

    assert token not in line
    assert "/konto/kennwort-vergessen/MTI/[redacted]/" in line
    static = "/static/kern/kern.min.0123456789abcdef.css"
    assert redact_path(static) == static


@pytest.mark.parametrize(
    "path",
    [
        "/veranstaltungen/meine-bildungsmassnahmen/",
        "/veranstaltungen/meine-bildungsmassnahmen/17/stornieren/",
        "/barrierefreiheit/rueckmeldung-erhalten/",
    ],
)
def test_page_names_stay_readable_in_logs(path):
    assert redact_path(path) == path


@pytest.mark.parametrize(
    "token", ["cx5j2k-0123456789abcdef0123", "eyJsb2dpbiI6IjEyMzQ1Njc4In0:1tXyZa"]
)
def test_tokens_are_redacted_whatever_their_letters(token):
    assert (
        redact_path(f"/konto/bestaetigen/{token}/") == "/konto/bestaetigen/[redacted]/"
    )


class ForcedError(Exception):
    pass


def fail(*args, **kwargs):
    raise ForcedError("forced")


def error_report(request, view, **kwargs):
    """Run the view, which must fail, and return Django's text report."""
    with pytest.raises(ForcedError) as caught:
        view(request, **kwargs)
    reporter = get_exception_reporter_class(request)
    return reporter(request, caught.type, caught.value, caught.tb).get_traceback_text()


@pytest.fixture
def rf():
    return RequestFactory()


def test_error_report_of_sign_up_hides_password_and_personal_data(
    rf, signup_data, monkeypatch
):
    # Fails after the account is built, deep in the service.
    monkeypatch.setattr(recovery, "queue_mail", fail)
    request = rf.post(reverse("accounts:signup"), signup_data)
    request.user = AnonymousUser()
    request.session = SessionStore()

    report = error_report(request, account_views.SignUpView.as_view())

    assert "ForcedError" in report
    assert_absent(report, [TEST_PASSWORD, EMAIL, FIRST_NAME, LAST_NAME])


def test_error_report_of_password_reset_hides_password_and_token(rf, db, monkeypatch):
    user = UserFactory(first_name=FIRST_NAME, last_name=LAST_NAME, email=EMAIL)
    client = Client()
    client.post(reverse("accounts:password_reset"), {"login_id": user.login_id})
    reset_path = last_link()
    form_path = client.get(reset_path).url
    monkeypatch.setattr(recovery, "queue_mail", fail)
    request = rf.post(
        form_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    request.user = AnonymousUser()
    request.session = SessionStore()
    request.session[INTERNAL_RESET_SESSION_TOKEN] = link_token(reset_path)
    uidb64 = reset_path.strip("/").split("/")[-2]

    report = error_report(
        request,
        account_views.PasswordResetConfirmView.as_view(),
        uidb64=uidb64,
        token="set-password",
    )

    assert "ForcedError" in report
    assert_absent(
        report, [NEW_PASSWORD, link_token(reset_path), EMAIL, FIRST_NAME, LAST_NAME]
    )


def test_error_report_of_meine_daten_hides_names_and_passwords(rf, db, monkeypatch):
    user = UserFactory(first_name=FIRST_NAME, last_name=LAST_NAME, email=EMAIL)
    monkeypatch.setattr(services, "queue_mail", fail)
    request = rf.post(
        reverse("accounts:email_change"),
        {"email": NEW_EMAIL, "password": TEST_PASSWORD},
    )
    request.user = user
    request.session = SessionStore()

    report = error_report(request, account_views.EmailChangeView.as_view())

    assert "ForcedError" in report
    assert_absent(report, [TEST_PASSWORD, NEW_EMAIL, EMAIL, FIRST_NAME, LAST_NAME])


def test_error_report_of_a_confirmation_link_hides_the_token(rf, db, monkeypatch):
    user = UserFactory(email=EMAIL)
    token = services.signing.dumps(
        {"user": user.pk, "email": NEW_EMAIL, "state": services._email_state(user)},
        salt=services.EMAIL_CHANGE_SALT,
    )
    monkeypatch.setattr(services, "queue_mail", fail)
    path = reverse("accounts:email_change_confirm", kwargs={"token": token})
    request = rf.post(path)
    request.user = user
    request.session = SessionStore()

    report = error_report(
        request, account_views.EmailChangeConfirmView.as_view(), token=token
    )

    assert "ForcedError" in report
    assert_absent(report, [token, NEW_EMAIL, EMAIL])
