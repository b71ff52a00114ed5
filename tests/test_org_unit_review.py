import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import AuditEntry, User
from accounts.roles import TRAINING_OFFICE
from accounts.services import accounts_needing_org_unit_review, change_org_unit
from orgunits.models import CareerGroup, OrgUnit, ServiceOffice
from tests.factories import UserFactory


@pytest.fixture
def office_staff(role_groups, reference_data):
    user = UserFactory(
        ministry=ServiceOffice.objects.get(code="X-MJ").ministry, is_staff=True
    )
    user.groups.add(Group.objects.get(name=TRAINING_OFFICE))
    return user


def account_at(office_code, group_code="GD", org_unit=None):
    office = ServiceOffice.objects.get(code=office_code)
    return UserFactory(
        ministry=office.ministry,
        service_office=office,
        career_group=CareerGroup.objects.get(code=group_code),
        org_unit=org_unit,
    )


def unit(office_code, group_code="GD"):
    return OrgUnit.objects.get(
        service_office__code=office_code, career_group__code=group_code
    )


def test_review_lists_accounts_whose_org_unit_does_not_fit(reference_data):
    fitting = account_at("B1101", org_unit=unit("B1100"))
    wrong_office = account_at("B1101", org_unit=unit("B1000"))
    wrong_group = account_at("B1101", org_unit=unit("B1100", "HD"))
    without = account_at("B1101")

    listed = set(accounts_needing_org_unit_review(User.objects.all()))

    assert fitting not in listed
    assert {wrong_office, wrong_group, without} <= listed


def test_changing_the_dienststelle_puts_the_account_on_the_review_list(
    client, reference_data
):
    user = account_at("B1101", org_unit=unit("B1100"))
    client.force_login(user)
    new_office = ServiceOffice.objects.get(code="B1000")

    client.post(
        reverse("accounts:profile_update"),
        {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": "",
            "service_office": new_office.pk,
        },
    )

    user.refresh_from_db()
    assert user.org_unit == unit("B1100")
    assert user in accounts_needing_org_unit_review(User.objects.all())


def test_review_action_assigns_the_fitting_org_unit_and_records_it(
    client, login_verified, office_staff
):
    user = account_at("B1101", org_unit=unit("B1000"))
    login_verified(client, office_staff)

    client.post(
        reverse("admin:accounts_orgunitreview_changelist"),
        {"action": "assign_fitting_org_unit", "_selected_action": [user.pk]},
    )

    user.refresh_from_db()
    assert user.org_unit == unit("B1100")
    entry = AuditEntry.objects.get(action="account.org_unit_changed")
    assert entry.actor == office_staff
    assert entry.data["old"]["id"] == unit("B1000").pk
    assert entry.data["new"]["id"] == unit("B1100").pk
    assert entry.created_at is not None


def test_review_list_shows_the_account_with_its_fitting_org_unit(
    client, login_verified, office_staff
):
    user = account_at("B1101")
    login_verified(client, office_staff)

    response = client.get(reverse("admin:accounts_orgunitreview_changelist"))

    html = response.content.decode()
    assert user.login_id in html
    assert str(unit("B1100")) in html


def test_org_unit_changed_in_the_account_form_is_recorded(
    client, login_verified, office_staff
):
    user = account_at("B1101", org_unit=unit("B1000"))
    login_verified(client, office_staff)

    client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "login_id": user.login_id,
            "personnel_number": user.personnel_number,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "phone": "",
            "ministry": user.ministry_id,
            "service_office": user.service_office_id,
            "career_group": user.career_group_id,
            "org_unit": unit("B1100").pk,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )

    user.refresh_from_db()
    assert user.org_unit == unit("B1100")
    entry = AuditEntry.objects.get(action="account.org_unit_changed")
    assert entry.data["old"]["id"] == unit("B1000").pk


def test_unchanged_org_unit_records_nothing(reference_data, office_staff):
    user = account_at("B1101", org_unit=unit("B1100"))

    changed = change_org_unit(user=user, org_unit=unit("B1100"), actor=office_staff)

    assert changed is False
    assert not AuditEntry.objects.filter(action="account.org_unit_changed").exists()
