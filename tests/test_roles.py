import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import TRAINING_OFFICE, TRAINING_OFFICER, accounts_in_scope
from tests.factories import MinistryFactory, UserFactory


@pytest.fixture
def justice(db):
    return MinistryFactory(code="JUM")


@pytest.fixture
def finance(db):
    return MinistryFactory(code="FM", name="Ministerium für Finanzen")


def staff_in(group_name, ministry):
    user = UserFactory(ministry=ministry, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=group_name)[0])
    return user


def test_training_officer_sees_only_accounts_of_own_ressort(justice, finance):
    own = UserFactory(ministry=justice)
    UserFactory(ministry=finance)
    officer = staff_in(TRAINING_OFFICER, justice)

    visible = accounts_in_scope(officer, User.objects.all())

    assert set(visible) == {own, officer}


def test_training_office_sees_every_account(justice, finance):
    UserFactory(ministry=justice)
    UserFactory(ministry=finance)
    office = staff_in(TRAINING_OFFICE, justice)

    assert accounts_in_scope(office, User.objects.all()).count() == 3


def test_staff_without_role_sees_no_account(justice):
    UserFactory(ministry=justice)
    clerk = UserFactory(ministry=justice, is_staff=True)

    assert not accounts_in_scope(clerk, User.objects.all()).exists()


def test_officer_without_ressort_sees_no_account(justice):
    UserFactory(ministry=justice)
    officer = staff_in(TRAINING_OFFICER, justice)
    officer.ministry = None
    officer.save()

    assert not accounts_in_scope(officer, User.objects.all()).exists()
