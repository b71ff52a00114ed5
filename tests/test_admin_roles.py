import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEntry, User
from accounts.roles import ROLE_PERMISSIONS, TRAINING_OFFICE, TRAINING_OFFICER
from tests.factories import (
    MinistryFactory,
    OrgUnitFactory,
    ServiceOfficeFactory,
    UserFactory,
)

ROLES = ["employee", "clerk", "officer", "office", "superuser"]


@pytest.fixture
def justice(db):
    return MinistryFactory(code="JUM")


@pytest.fixture
def finance(db):
    return MinistryFactory(code="FM", name="Ministerium für Finanzen")


@pytest.fixture
def people(role_groups, justice, finance):
    """One account of each role, all in the justice ministry."""
    office = UserFactory(ministry=justice, is_staff=True)
    office.groups.add(Group.objects.get(name=TRAINING_OFFICE))
    officer = UserFactory(ministry=justice, is_staff=True)
    officer.groups.add(Group.objects.get(name=TRAINING_OFFICER))
    return {
        "employee": UserFactory(ministry=justice),
        "clerk": UserFactory(ministry=justice, is_staff=True),
        "officer": officer,
        "office": office,
        "superuser": UserFactory(ministry=justice, is_staff=True, is_superuser=True),
    }


@pytest.fixture
def own_account(justice):
    return UserFactory(ministry=justice)


@pytest.fixture
def foreign_account(finance):
    return UserFactory(ministry=finance)


def page_url(page, own_account, foreign_account):
    name, target = page
    account = {"own": own_account, "foreign": foreign_account}.get(target)
    return reverse(name, args=[account.pk] if account else [])


# Expected status for employee, clerk (staff without role), officer,
# training office and superuser. 302 for an employee: the admin login.
PAGES = [
    (("admin:index", None), [302, 200, 200, 200, 200]),
    (("admin:accounts_user_changelist", None), [302, 403, 200, 200, 200]),
    (("admin:accounts_user_change", "own"), [302, 403, 200, 200, 200]),
    (("admin:accounts_user_change", "foreign"), [302, 403, 302, 200, 200]),
    (("admin:accounts_user_history", "foreign"), [302, 302, 302, 200, 200]),
    (("admin:accounts_user_delete", "own"), [302, 403, 403, 403, 200]),
    (("admin:accounts_user_add", None), [302, 403, 403, 200, 200]),
    (("admin:accounts_user_training_record", "own"), [302, 404, 200, 200, 200]),
    (("admin:accounts_user_training_record", "foreign"), [302, 404, 404, 200, 200]),
    (("admin:accounts_orgunitreview_changelist", None), [302, 403, 403, 200, 200]),
    (("admin:accounts_auditentry_changelist", None), [302, 403, 403, 200, 200]),
    (("admin:orgunits_ministry_changelist", None), [302, 403, 403, 200, 200]),
    (("admin:orgunits_serviceoffice_changelist", None), [302, 403, 403, 200, 200]),
    (("admin:orgunits_orgunit_changelist", None), [302, 403, 403, 200, 200]),
    (("admin:courses_course_changelist", None), [302, 403, 403, 200, 200]),
    (("admin:courses_enrollment_changelist", None), [302, 403, 403, 200, 200]),
    (("admin:auth_group_changelist", None), [302, 403, 403, 403, 200]),
]


@pytest.mark.parametrize(
    ("role", "page", "expected"),
    [
        (role, page, statuses[index])
        for page, statuses in PAGES
        for index, role in enumerate(ROLES)
    ],
)
def test_admin_page_per_role(
    client, login_verified, people, own_account, foreign_account, role, page, expected
):
    login_verified(client, people[role])

    response = client.get(page_url(page, own_account, foreign_account))

    assert response.status_code == expected


def test_foreign_account_redirects_officer_to_index_without_data(
    client, login_verified, people, foreign_account
):
    login_verified(client, people["officer"])

    response = client.get(
        reverse("admin:accounts_user_change", args=[foreign_account.pk]), follow=True
    )

    assert foreign_account.last_name not in response.content.decode()


def test_officer_sees_accounts_read_only(client, login_verified, people, own_account):
    login_verified(client, people["officer"])
    url = reverse("admin:accounts_user_change", args=[own_account.pk])

    response = client.post(url, {"last_name": "Geändert"})

    assert response.status_code == 403
    own_account.refresh_from_db()
    assert own_account.last_name != "Geändert"


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        ("officer", "anonymise_accounts", True),
        ("office", "anonymise_accounts", True),
        ("superuser", "anonymise_accounts", True),
        ("officer", "reset_second_factor", False),
        ("office", "reset_second_factor", True),
        ("superuser", "reset_second_factor", True),
    ],
)
def test_account_actions_offered_per_role(
    client, login_verified, people, role, action, allowed
):
    login_verified(client, people[role])

    response = client.get(reverse("admin:accounts_user_changelist"))

    choices = response.context["action_form"].fields["action"].choices
    assert (action in [name for name, _label in choices]) is allowed


@pytest.mark.parametrize("role", ["officer", "office"])
def test_anonymise_action_asks_for_confirmation_first(
    client, login_verified, people, own_account, role
):
    login_verified(client, people[role])

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "anonymise_accounts", "_selected_action": [own_account.pk]},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "nicht rückgängig" in html
    assert reverse("admin:accounts_user_training_record", args=[own_account.pk]) in html
    own_account.refresh_from_db()
    assert own_account.anonymised_at is None


def test_officer_cannot_anonymise_an_account_of_another_ressort(
    client, login_verified, people, foreign_account
):
    login_verified(client, people["officer"])

    client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "anonymise_accounts",
            "_selected_action": [foreign_account.pk],
            "confirm": "yes",
        },
    )

    foreign_account.refresh_from_db()
    assert foreign_account.anonymised_at is None
    assert foreign_account.is_active


def test_officer_cannot_anonymise_the_training_office(client, login_verified, people):
    login_verified(client, people["officer"])

    client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "anonymise_accounts",
            "_selected_action": [people["office"].pk],
            "confirm": "yes",
        },
    )

    people["office"].refresh_from_db()
    assert people["office"].anonymised_at is None


def test_officer_cannot_reset_a_second_factor(
    client, login_verified, people, own_account
):
    device = TOTPDevice.objects.create(user=own_account, name="app", confirmed=True)
    login_verified(client, people["officer"])

    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [own_account.pk]},
    )

    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_training_office_resets_a_second_factor(
    client, login_verified, people, own_account
):
    TOTPDevice.objects.create(user=own_account, name="app", confirmed=True)
    login_verified(client, people["office"])

    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [own_account.pk]},
    )

    assert not TOTPDevice.objects.filter(user=own_account).exists()


def change_form_data(account, **changes):
    return {
        "login_id": account.login_id,
        "personnel_number": account.personnel_number,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "phone": account.phone,
        "ministry": account.ministry_id or "",
        "service_office": account.service_office_id or "",
        "career_group": account.career_group_id or "",
        "org_unit": account.org_unit_id or "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        **changes,
    }


def test_training_office_cannot_make_anyone_superuser(
    client, login_verified, people, own_account
):
    login_verified(client, people["office"])

    response = client.post(
        reverse("admin:accounts_user_change", args=[own_account.pk]),
        change_form_data(own_account, is_superuser="on", is_staff="on"),
    )

    assert response.status_code == 302
    own_account.refresh_from_db()
    assert own_account.is_staff
    assert not own_account.is_superuser


def test_training_office_cannot_grant_a_group_with_rights_it_lacks(
    client, login_verified, people, own_account
):
    admins = Group.objects.create(name="Gruppenverwaltung")
    admins.permissions.add(Permission.objects.get(codename="change_group"))
    login_verified(client, people["office"])

    response = client.post(
        reverse("admin:accounts_user_change", args=[own_account.pk]),
        change_form_data(own_account, groups=[admins.pk]),
    )

    assert response.status_code == 200
    assert "groups" in response.context["adminform"].form.errors
    assert not own_account.groups.exists()


def test_training_office_grants_the_officer_group(
    client, login_verified, people, own_account
):
    officers = Group.objects.get(name=TRAINING_OFFICER)
    login_verified(client, people["office"])

    client.post(
        reverse("admin:accounts_user_change", args=[own_account.pk]),
        change_form_data(own_account, groups=[officers.pk], is_staff="on"),
    )

    assert list(own_account.groups.all()) == [officers]


def test_training_office_cannot_grant_a_permission_it_lacks(
    client, login_verified, people, own_account
):
    login_verified(client, people["office"])
    permission = Permission.objects.get(codename="delete_user")

    response = client.post(
        reverse("admin:accounts_user_change", args=[own_account.pk]),
        change_form_data(own_account, user_permissions=[permission.pk]),
    )

    assert response.status_code == 200
    assert not own_account.user_permissions.exists()


def test_training_office_cannot_edit_a_superuser(client, login_verified, people):
    login_verified(client, people["office"])
    superuser = people["superuser"]

    response = client.post(
        reverse("admin:accounts_user_change", args=[superuser.pk]),
        change_form_data(superuser, last_name="Geändert", is_staff="on"),
    )

    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.last_name != "Geändert"


def test_submitted_form_cannot_move_an_account_into_a_foreign_ressort(
    client, login_verified, people, own_account, finance
):
    officer = people["officer"]
    officer.user_permissions.add(Permission.objects.get(codename="change_user"))
    foreign_office = ServiceOfficeFactory(ministry=finance)
    foreign_unit = OrgUnitFactory(service_office__ministry=finance)
    login_verified(client, officer)

    response = client.post(
        reverse("admin:accounts_user_change", args=[own_account.pk]),
        change_form_data(
            own_account,
            ministry=finance.pk,
            service_office=foreign_office.pk,
            org_unit=foreign_unit.pk,
        ),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"ministry", "service_office", "org_unit"} <= set(errors)
    own_account.refresh_from_db()
    assert own_account.ministry.code == "JUM"


def test_staff_without_second_factor_is_sent_to_set_it_up(client, people):
    client.force_login(people["office"])

    response = client.get(reverse("admin:accounts_user_changelist"), follow=True)

    assert response.redirect_chain[-1][0].startswith(
        reverse("accounts:second_factor_setup")
    )


def test_setup_roles_gives_each_group_exactly_its_permissions(db):
    call_command("setup_roles")
    call_command("setup_roles")

    for name, labels in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=name)
        held = {
            f"{permission.content_type.app_label}.{permission.codename}"
            for permission in group.permissions.select_related("content_type")
        }
        assert held == set(labels)
    assert set(ROLE_PERMISSIONS[TRAINING_OFFICER]) == {
        "accounts.view_user",
        "accounts.unlock_user",
        "accounts.force_password_reset",
        "accounts.anonymise_user",
    }


def test_demo_data_creates_an_officer_of_each_kind(reference_data, capsys):
    call_command("load_demo_data", "--force")

    output = capsys.readouterr().out
    for login_id, group in [
        ("fortbildungsreferat", TRAINING_OFFICE),
        ("bildungsverantwortung", TRAINING_OFFICER),
    ]:
        user = User.objects.get(login_id=login_id)
        assert user.is_staff
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert login_id in output


def test_permissions_are_offered_in_german(client, login_verified, people):
    login_verified(client, people["superuser"])
    group = Group.objects.get(name=TRAINING_OFFICE)

    response = client.get(
        reverse("admin:auth_group_change", args=[group.pk]),
        headers={"accept-language": "de"},
    )

    html = response.content.decode()
    assert "Veranstaltungen: hinzufügen" in html
    assert "Darf Konten entsperren" in html
    assert "Can add" not in html
    assert "Can unlock accounts" not in html


def test_officer_sees_grantable_permissions_in_german(
    client, login_verified, people, own_account
):
    login_verified(client, people["office"])

    response = client.get(
        reverse("admin:accounts_user_change", args=[own_account.pk]),
        headers={"accept-language": "de"},
    )

    html = response.content.decode()
    assert "Konten: ansehen" in html
    assert "Can view" not in html


def test_django_texts_missing_from_its_catalogue_read_german(
    client, login_verified, people
):
    login_verified(client, people["superuser"])

    response = client.get(
        reverse("admin:accounts_user_add"), headers={"accept-language": "de"}
    )

    html = response.content.decode()
    assert "Anmeldung mit Passwort" in html
    assert "Password-based authentication" not in html


def test_only_the_operator_sets_a_password_in_the_admin(
    client, login_verified, people, own_account
):
    login_verified(client, people["office"])
    url = reverse("admin:auth_user_password_change", args=[own_account.pk])
    data = {
        "usable_password": "true",
        "password1": "Vom-Referat-gesetzt-2026",
        "password2": "Vom-Referat-gesetzt-2026",
    }

    response = client.post(url, data)

    assert response.status_code == 403
    own_account.refresh_from_db()
    assert not own_account.check_password("Vom-Referat-gesetzt-2026")


def test_a_password_set_by_the_operator_is_told_and_recorded(
    client, login_verified, people, own_account
):
    login_verified(client, people["superuser"])
    mail.outbox.clear()

    response = client.post(
        reverse("admin:auth_user_password_change", args=[own_account.pk]),
        {
            "usable_password": "true",
            "password1": "Vom-Betrieb-gesetzt-2026",
            "password2": "Vom-Betrieb-gesetzt-2026",
        },
    )

    assert response.status_code == 302
    own_account.refresh_from_db()
    assert own_account.check_password("Vom-Betrieb-gesetzt-2026")
    assert [message.to for message in mail.outbox] == [[own_account.email]]
    assert "Vom-Betrieb-gesetzt-2026" not in mail.outbox[0].body
    entry = AuditEntry.objects.get(action="account.password_set_by_admin")
    assert entry.actor == people["superuser"]


def test_staff_change_their_own_password_under_meine_daten(
    client, login_verified, people
):
    login_verified(client, people["office"])

    response = client.get("/verwaltung/password_change/")

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change")
