"""A session's row names its account, read in one statement with it."""

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Session
from portal.sessions import SessionStore, account_read_with_session


def test_a_session_row_names_its_account_and_goes_with_it(client, employee):
    client.force_login(employee)

    assert Session.objects.get(session_key=client.session.session_key).user == employee

    employee.delete()
    assert not Session.objects.exists()


def test_a_signed_in_page_reads_session_and_account_in_one_statement(client, employee):
    client.force_login(employee)
    client.get(reverse("courses:course_list"))  # stamps the session's renewal

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("courses:course_list"))

    assert response.status_code == 200
    assert response.wsgi_request.user == employee
    reading_accounts = [
        query["sql"] for query in queries if '"accounts_user"' in query["sql"]
    ]
    assert len(reading_accounts) == 1
    assert 'FROM "portal_session"' in reading_accounts[0]


def test_an_account_deactivated_after_login_is_signed_out(client, employee):
    client.force_login(employee)
    employee.is_active = False
    employee.save()

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.wsgi_request.user.is_anonymous


def test_a_password_changed_elsewhere_ends_the_session(client, employee):
    client.force_login(employee)
    employee.set_password("ein-ganz-anderes-Kennwort-2026")
    employee.save()

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.wsgi_request.user.is_anonymous
    assert "_auth_user_id" not in client.session


def test_the_account_is_offered_to_no_one_after_its_request(client, employee):
    client.force_login(employee)

    client.get(reverse("accounts:profile"))

    assert account_read_with_session(employee.pk) is None


# Outside a test transaction, so that the row is really written.
@pytest.mark.django_db(transaction=True)
def test_a_session_naming_a_deleted_account_is_stored_and_signs_no_one_in(
    client, employee
):
    # An account deleted between its login and the session's first save.
    store = SessionStore()
    store[SESSION_KEY] = str(employee.pk)
    store[BACKEND_SESSION_KEY] = "accounts.backends.LoginIdBackend"
    store[HASH_SESSION_KEY] = employee.get_session_auth_hash()
    employee.delete()
    store._session_key = "k" * 32

    store.save(must_create=True)

    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.wsgi_request.user.is_anonymous


@pytest.mark.parametrize("second_factor", [False, True])
def test_the_compiled_reading_gives_what_the_orm_gives(client, employee, second_factor):
    # On PostgreSQL a session is read with SQL compiled once per process
    # (portal.sessions._read_session); on SQLite through the ORM each time.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.sessions import _sessions_with_account

    if second_factor:
        TOTPDevice.objects.create(user=employee, name="App", confirmed=True)
    client.force_login(employee)
    key = client.session.session_key
    expected = _sessions_with_account().get(session_key=key)

    store = SessionStore(key)
    data = store.load()

    assert data == expected.get_decoded()
    user = store.user_at_load
    assert user.pk == employee.pk
    assert not user._state.adding
    for field in type(user)._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(expected.user, field.attname)
    assert user.second_factor_at_load is second_factor


def test_an_expired_or_unknown_session_is_not_read(client, employee):
    from django.utils import timezone

    client.force_login(employee)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())

    for session_key in (key, "x" * 32):
        store = SessionStore(session_key)
        assert store.load() == {}
        assert store.user_at_load is None
        assert store.session_key is None


def test_a_session_without_account_is_read_without_one(db):
    store = SessionStore()
    store["Hinweis"] = "gelesen"
    store.save()

    again = SessionStore(store.session_key)

    assert again.load() == {"Hinweis": "gelesen"}
    assert again.user_at_load is None


@pytest.mark.parametrize(
    "cookie",
    ["abcdefgh\x00ijkl", "\x00session key", "ABCDEFGHIJKLMNOP", "a" * 31 + "ä"],
)
def test_a_cookie_no_store_would_make_is_no_session(client, employee, cookie, caplog):
    client.force_login(employee)
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
