import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.lockout import client_ip_address
from accounts.models import AuditEntry, LoginLock
from tests.factories import TEST_PASSWORD, UserFactory

LIMIT = 5


def login(client, username, password="falsch-falsch", **extra):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        **extra,
    )


def fail_until_locked(client, username, **extra):
    for _ in range(LIMIT):
        login(client, username, **extra)


@pytest.mark.parametrize(
    "spellings",
    [
        ["10000001"],
        ["10000001", " 10000001", "10000001\u00a0", "\u200910000001"],
        ["Erika.Muster", "erika.muster", "ERIKA.MUSTER ", "ｅｒｉｋａ.ｍｕｓｔｅｒ"],
    ],
)
def test_every_spelling_counts_toward_one_lock(client, db, spellings):
    user = UserFactory(login_id=spellings[0])

    for attempt in range(LIMIT):
        login(client, spellings[attempt % len(spellings)])
    response = login(client, user.login_id, TEST_PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_locked_answer_is_the_same_for_right_and_wrong_password(client, db):
    UserFactory(login_id="10000001")
    fail_until_locked(client, "10000001")

    right = login(client, "10000001", TEST_PASSWORD)
    wrong = login(client, "10000001", "falsch-falsch")

    assert right.status_code == wrong.status_code == 429
    assert right.content == wrong.content
    assert "15 Minuten" in right.content.decode()


def test_locked_answer_is_the_same_for_an_unknown_login_id(client, db):
    UserFactory(login_id="10000001")
    fail_until_locked(client, "10000001")
    fail_until_locked(client, "10000002")

    known = login(client, "10000001").content.decode()
    unknown = login(client, "10000002").content.decode()

    assert known.replace("10000001", "X") == unknown.replace("10000002", "X")


def test_wrong_login_id_never_locks_a_real_account(client, db):
    UserFactory(login_id="10000001")
    for typo in ["10000011", "1000001", "10000001x"]:
        fail_until_locked(client, typo)

    response = login(client, "10000001", TEST_PASSWORD)

    assert response.status_code == 302


def test_empty_fields_do_not_count_as_failures(client, db):
    UserFactory(login_id="10000001")
    for _ in range(LIMIT * 2):
        login(client, "10000001", "")
        login(client, "  ", "falsch-falsch")

    response = login(client, "10000001", TEST_PASSWORD)

    assert response.status_code == 302


def test_successful_login_resets_the_counter(client, db):
    UserFactory(login_id="10000001")
    for _ in range(LIMIT - 1):
        login(client, "10000001")
    login(client, "10000001", TEST_PASSWORD)
    client.logout()

    for _ in range(LIMIT - 1):
        login(client, "10000001")
    response = login(client, "10000001", TEST_PASSWORD)

    assert response.status_code == 302


def test_lock_ends_after_its_time(client, db, time_machine):
    UserFactory(login_id="10000001")
    time_machine.move_to("2026-03-02 09:00 +01:00", tick=False)
    fail_until_locked(client, "10000001")

    time_machine.move_to("2026-03-02 09:16 +01:00", tick=False)
    response = login(client, "10000001", TEST_PASSWORD)

    assert response.status_code == 302


def test_owner_is_told_of_a_lock(client, db):
    user = UserFactory(login_id="10000001")

    fail_until_locked(client, "10000001")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "gesperrt" in mail.outbox[0].subject
    assert "http://127.0.0.1:8000/konto/kennwort-vergessen/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="account.locked").count() == 1


def test_third_lock_within_a_day_lasts_until_lifted(client, db, time_machine):
    UserFactory(login_id="10000001")
    time_machine.move_to("2026-03-02 09:00 +01:00", tick=False)
    for hour in (9, 10, 11):
        time_machine.move_to(f"2026-03-02 {hour}:00 +01:00", tick=False)
        fail_until_locked(client, "10000001")

    time_machine.move_to("2026-03-03 08:00 +01:00", tick=False)
    response = login(client, "10000001", TEST_PASSWORD)

    assert response.status_code == 429
    assert "bis sie aufgehoben wird" in response.content.decode()
    assert LoginLock.objects.lasting().count() == 1


def test_locks_on_different_days_stay_temporary(client, db, time_machine):
    UserFactory(login_id="10000001")
    for day in (2, 3, 4):
        time_machine.move_to(f"2026-03-0{day} 09:00 +01:00", tick=False)
        fail_until_locked(client, "10000001")

    time_machine.move_to("2026-03-04 09:20 +01:00", tick=False)
    response = login(client, "10000001", TEST_PASSWORD)

    assert response.status_code == 302


@override_settings(PORTAL_IP_FAILURE_LIMIT=12)
def test_one_address_is_throttled_only_at_its_own_higher_limit(client, db):
    UserFactory(login_id="10000001")
    for number in range(11):
        login(client, f"2000000{number}")

    before = login(client, "10000001", TEST_PASSWORD)
    client.logout()
    login(client, "20000099")
    after = login(client, "10000001", TEST_PASSWORD)

    assert before.status_code == 302
    assert after.status_code == 429
    assert "Netz" in after.content.decode()


def test_other_addresses_are_not_throttled_with_one(client, db):
    UserFactory(login_id="10000001")
    with override_settings(PORTAL_IP_FAILURE_LIMIT=3):
        for number in range(3):
            login(client, f"2000000{number}", REMOTE_ADDR="198.51.100.7")

        response = login(client, "10000001", TEST_PASSWORD, REMOTE_ADDR="198.51.100.8")

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("proxy_count", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "192.0.2.1"),
        (1, "", "192.0.2.1"),
    ],
)
def test_client_address_is_taken_behind_the_configured_proxies(
    rf, settings, proxy_count, forwarded, expected
):
    settings.PORTAL_PROXY_COUNT = proxy_count
    request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip_address(request) == expected


def test_spoofed_forwarded_header_gives_no_fresh_counter(client, db, settings):
    settings.PORTAL_PROXY_COUNT = 1
    settings.PORTAL_IP_FAILURE_LIMIT = 3
    for number in range(3):
        login(
            client,
            f"2000000{number}",
            HTTP_X_FORWARDED_FOR=f"6.6.6.{number}, 203.0.113.9",
        )

    response = login(
        client,
        "20000009",
        HTTP_X_FORWARDED_FOR="7.7.7.7, 203.0.113.9",
    )

    assert response.status_code == 429
