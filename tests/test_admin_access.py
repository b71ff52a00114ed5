import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.lockout import lock_login
from accounts.models import AuditEntry, LoginLock
from accounts.roles import TRAINING_OFFICE, TRAINING_OFFICER
from accounts.services import set_up_role_groups
from tests.conftest import log_in_with_second_factor
from tests.factories import MinistryFactory, UserFactory


@pytest.fixture
def justice(db):
    return MinistryFactory(code="JUM")


@pytest.fixture
def finance(db):
    return MinistryFactory(code="FM", name="Ministerium für Finanzen")


def staff_in(group_name, ministry):
    set_up_role_groups()
    user = UserFactory(ministry=ministry, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def run_action(client, action, users):
    return client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": action, "_selected_action": [user.pk for user in users]},
    )


def locked(user, lasting=False):
    for _ in range(3 if lasting else 1):
        lock_login(login_key=user.login_id.casefold())


@pytest.mark.parametrize("lasting", [False, True])
def test_officer_unlocks_an_account_of_own_ressort(client, justice, lasting):
    employee = UserFactory(ministry=justice)
    locked(employee, lasting=lasting)
    officer = staff_in(TRAINING_OFFICER, justice)
    log_in_with_second_factor(client, officer)

    response = run_action(client, "unlock_accounts", [employee])

    assert response.status_code == 302
    assert not LoginLock.objects.in_force().exists()
    entry = AuditEntry.objects.get(action="account.unlocked")
    assert (entry.actor, entry.target_id) == (officer, str(employee.pk))


def test_officer_cannot_unlock_another_ressorts_account(client, justice, finance):
    foreign = UserFactory(ministry=finance)
    locked(foreign, lasting=True)
    log_in_with_second_factor(client, staff_in(TRAINING_OFFICER, justice))

    run_action(client, "unlock_accounts", [foreign])

    assert LoginLock.objects.lasting().count() == 1
    assert not AuditEntry.objects.filter(action="account.unlocked").exists()


def test_officer_cannot_force_a_reset_in_another_ressort(client, justice, finance):
    foreign = UserFactory(ministry=finance)
    log_in_with_second_factor(client, staff_in(TRAINING_OFFICER, justice))

    run_action(client, "force_password_reset", [foreign])

    foreign.refresh_from_db()
    assert foreign.must_reset_password is False
    assert foreign.has_usable_password()


def test_officer_forces_a_reset(client, justice):
    employee = UserFactory(ministry=justice)
    log_in_with_second_factor(client, staff_in(TRAINING_OFFICER, justice))

    run_action(client, "force_password_reset", [employee])

    employee.refresh_from_db()
    assert employee.must_reset_password is True
    assert not employee.has_usable_password()
    assert AuditEntry.objects.filter(action="account.password_reset_forced").exists()


def test_training_office_unlocks_any_ressorts_account(client, justice, finance):
    foreign = UserFactory(ministry=finance)
    locked(foreign)
    log_in_with_second_factor(client, staff_in(TRAINING_OFFICE, justice))

    run_action(client, "unlock_accounts", [foreign])

    assert not LoginLock.objects.in_force().exists()


def test_list_shows_and_filters_the_lock_status(client, justice):
    free = UserFactory(ministry=justice, last_name="Frei")
    blocked = UserFactory(ministry=justice, last_name="Gesperrt")
    locked(blocked, lasting=True)
    log_in_with_second_factor(client, staff_in(TRAINING_OFFICER, justice))

    response = client.get(reverse("admin:accounts_user_changelist"), {"lock": "locked"})

    shown = list(response.context["cl"].result_list)
    assert shown == [blocked]
    assert free not in shown
    assert "bis zur Entsperrung" in response.content.decode()


def test_unlocked_account_logs_in_at_once(client, justice, password):
    employee = UserFactory(ministry=justice)
    for _ in range(5):
        client.post(
            reverse("accounts:login"),
            {"username": employee.login_id, "password": "x" * 12},
        )
    officer_client = client.__class__()
    log_in_with_second_factor(officer_client, staff_in(TRAINING_OFFICER, justice))

    run_action(officer_client, "unlock_accounts", [employee])
    response = client.post(
        reverse("accounts:login"),
        {"username": employee.login_id, "password": password},
    )

    assert response.status_code == 302


def test_officer_cannot_force_a_reset_on_an_account_with_more_rights(client, justice):
    office_member = staff_in(TRAINING_OFFICE, justice)
    officer = staff_in(TRAINING_OFFICER, justice)
    log_in_with_second_factor(client, officer)

    run_action(client, "force_password_reset", [office_member])

    office_member.refresh_from_db()
    assert office_member.must_reset_password is False
    assert office_member.has_usable_password()
