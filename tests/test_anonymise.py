from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.identifiers import login_id_key
from accounts.models import AuditEntry, Session, User
from accounts.roles import TRAINING_OFFICER
from accounts.services import anonymise_user, request_email_change
from courses.models import Enrollment
from orgunits.models import CareerGroup, ServiceOffice
from tests.factories import (
    TEST_PASSWORD,
    CourseFactory,
    EnrollmentFactory,
    OrgUnitFactory,
    UserFactory,
)

PERSON = {
    "login_id": "zwirbel.eber",
    "personnel_number": "98765432",
    "first_name": "Eberhardine",
    "last_name": "Zwirbelmeier",
    "email": "e.zwirbelmeier@example.org",
    "phone": "0711 999 4242",
}


@pytest.fixture
def person(db):
    org_unit = OrgUnitFactory()
    return UserFactory(
        **PERSON,
        ministry=org_unit.service_office.ministry,
        service_office=org_unit.service_office,
        career_group=org_unit.career_group,
        org_unit=org_unit,
    )


@pytest.fixture
def officer(role_groups, person):
    user = UserFactory(ministry=person.ministry, is_staff=True)
    user.groups.add(Group.objects.get(name=TRAINING_OFFICER))
    return user


def past_course():
    starts_at = timezone.now() - timedelta(weeks=8)
    return CourseFactory(starts_at=starts_at, ends_at=starts_at + timedelta(days=1))


def leave_traces(client, person):
    """Give the person the traces an account gathers in daily use."""
    client.post(
        reverse("accounts:login"), {"username": person.login_id, "password": "wrong"}
    )
    client.post(
        reverse("accounts:login"),
        {"username": person.login_id, "password": TEST_PASSWORD},
    )
    request_email_change(user=person, new_email="neu.zwirbel@example.org")
    LogEntry.objects.log_actions(
        user_id=person.pk, queryset=[person], action_flag=2, change_message="[]"
    )
    AccessAttempt.objects.create(
        username=login_id_key(person.login_id),
        ip_address="127.0.0.1",
        user_agent="test",
        get_data="",
        post_data=f"username={person.login_id}",
        failures_since_start=1,
        http_accept="*/*",
        path_info="/konto/anmelden/",
    )
    AccessFailureLog.objects.create(
        username=person.login_id,
        ip_address="127.0.0.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/konto/anmelden/",
    )


def text_columns():
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(
                field, models.CharField | models.TextField | models.JSONField
            ):
                yield model, field.name


def rows_carrying(value):
    return [
        f"{model._meta.label}.{name}"
        for model, name in text_columns()
        if model._default_manager.filter(**{f"{name}__icontains": value}).exists()
    ]


def test_anonymisation_replaces_the_person_by_placeholders(person, officer):
    anonymise_user(user=person, actor=officer)

    person.refresh_from_db()
    assert person.login_id == f"anonymisiert-{person.pk}"
    assert (person.first_name, person.last_name, person.email) == ("", "", "")
    assert (person.phone, person.personnel_number) == ("", "")
    assert not person.has_usable_password()
    assert not person.is_active
    assert person.anonymised_at is not None
    assert person.org_unit is not None


def test_anonymisation_leaves_no_removed_value_in_any_text_column(
    client, person, officer
):
    leave_traces(client, person)
    assert rows_carrying(PERSON["last_name"])

    anonymise_user(user=person, actor=officer)

    found = {value: rows_carrying(value) for value in PERSON.values()}
    assert found == {value: [] for value in PERSON.values()}


def test_anonymisation_ends_sessions_and_purges_lockout_records(
    client, person, officer
):
    leave_traces(client, person)
    assert client.get(reverse("accounts:profile")).status_code == 200

    anonymise_user(user=person, actor=officer)

    assert client.get(reverse("accounts:profile")).status_code == 302
    assert not any(
        session.get_decoded().get("_auth_user_id") == str(person.pk)
        for session in Session.objects.all()
    )
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        assert not model.objects.exists()


def test_anonymisation_removes_the_second_factor(person, officer):
    TOTPDevice.objects.create(user=person, name="app", confirmed=True)

    anonymise_user(user=person, actor=officer)

    assert not TOTPDevice.objects.filter(user=person).exists()


def test_anonymisation_cancels_future_enrolments_and_moves_the_waiting_list_up(
    person, officer
):
    course = CourseFactory(capacity=1)
    seat = EnrollmentFactory(course=course, user=person)
    waiting = EnrollmentFactory(
        course=course, status=Enrollment.Status.WAITLISTED, waitlist_position=1
    )

    anonymise_user(user=person, actor=officer)

    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert seat.status == Enrollment.Status.CANCELED
    assert seat.canceled_by == officer
    assert waiting.status == Enrollment.Status.ADMITTED
    assert waiting.waitlist_position is None


def test_anonymisation_keeps_past_enrolments_as_statistics(person, officer):
    attended = EnrollmentFactory(
        course=past_course(), user=person, status=Enrollment.Status.ATTENDED
    )

    anonymise_user(user=person, actor=officer)

    attended.refresh_from_db()
    assert attended.status == Enrollment.Status.ATTENDED
    assert attended.org_unit == person.org_unit
    assert attended.career_group == person.career_group


def test_anonymisation_is_recorded_without_the_removed_data(person, officer):
    anonymise_user(user=person, actor=officer)

    entry = AuditEntry.objects.get(action="account.anonymised")
    assert entry.actor == officer
    assert entry.target_id == str(person.pk)
    assert entry.data == {}


def test_anonymising_twice_changes_nothing_more(person, officer):
    anonymise_user(user=person, actor=officer)

    anonymise_user(user=person, actor=officer)

    assert AuditEntry.objects.filter(action="account.anonymised").count() == 1


def test_person_signs_up_again_with_same_number_and_nutzerkennung(
    client, reference_data, person, officer
):
    anonymise_user(user=person, actor=officer)
    office = ServiceOffice.objects.get(code="B1101")

    response = client.post(
        reverse("accounts:signup"),
        {
            "personnel_number": PERSON["personnel_number"],
            "login_id": PERSON["login_id"],
            "first_name": PERSON["first_name"],
            "last_name": PERSON["last_name"],
            "email": PERSON["email"],
            "phone": "",
            "ministry": office.ministry.pk,
            "service_office": office.pk,
            "career_group": CareerGroup.objects.get(code="GD").pk,
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )

    assert response.status_code == 302
    fresh = User.objects.get(login_id=PERSON["login_id"])
    assert fresh.pk != person.pk
    assert fresh.personnel_number == PERSON["personnel_number"]
    assert fresh.ministry == office.ministry


def test_training_record_csv_lists_past_courses(
    client, login_verified, person, officer
):
    course = past_course()
    EnrollmentFactory(course=course, user=person, status=Enrollment.Status.ATTENDED)
    EnrollmentFactory(user=person)
    login_verified(client, officer)

    response = client.get(
        reverse("admin:accounts_user_training_record", args=[person.pk])
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("Veranstaltungsnummer;Titel;Beginn;Ende")
    assert len(lines) == 2
    assert lines[1].startswith(f"{course.number};{course.title};")
    assert AuditEntry.objects.filter(
        action="account.training_record_exported", actor=officer
    ).exists()


def test_officer_confirms_anonymisation_in_the_admin(
    client, login_verified, person, officer
):
    login_verified(client, officer)

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "anonymise_accounts",
            "_selected_action": [person.pk],
            "confirm": "yes",
        },
        follow=True,
    )

    assert "1 Konto wurde anonymisiert." in response.content.decode()
    person.refresh_from_db()
    assert person.anonymised_at is not None
    entry = LogEntry.objects.get(object_id=str(person.pk))
    assert entry.object_repr == person.login_id
    assert entry.get_change_message() == "Konto anonymisiert."
