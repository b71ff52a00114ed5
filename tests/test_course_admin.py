import csv
import io
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.roles import TRAINING_OFFICE, TRAINING_OFFICER
from courses.models import Course, Enrollment
from tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    UserFactory,
    WaitlistedFactory,
)

Status = Enrollment.Status
pytestmark = pytest.mark.django_db


def staff_in(group_name):
    group, _ = Group.objects.get_or_create(name=group_name)
    group.permissions.set(Permission.objects.filter(content_type__app_label="courses"))
    user = UserFactory(is_staff=True)
    user.groups.add(group)
    return user


@pytest.fixture
def office_client(client, login_verified):
    return login_verified(client, staff_in(TRAINING_OFFICE))


def run_action(client, model, action, objects, **extra):
    return client.post(
        reverse(f"admin:courses_{model}_changelist"),
        {
            "action": action,
            ACTION_CHECKBOX_NAME: [obj.pk for obj in objects],
            **extra,
        },
    )


def test_course_list_shows_places_taken_and_waiting_list(office_client):
    course = CourseFactory(capacity=2)
    EnrollmentFactory.create_batch(2, course=course)
    WaitlistedFactory.create_batch(3, course=course)
    EnrollmentFactory(course=course, status=Status.CANCELED)

    response = office_client.get(reverse("admin:courses_course_changelist"))

    (row,) = response.context["cl"].result_list
    assert (row.seats_taken, row.waitlist_length) == (2, 3)


def test_course_list_query_count_is_fixed(office_client, django_assert_num_queries):
    for course in CourseFactory.create_batch(15):
        EnrollmentFactory(course=course)

    # One statement less since the session's row carries its account.
    with django_assert_num_queries(13):
        response = office_client.get(reverse("admin:courses_course_changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize(("group", "status"), [(TRAINING_OFFICER, 403), (None, 302)])
def test_only_the_training_office_sees_courses(client, login_verified, group, status):
    user = staff_in(group) if group else UserFactory()
    login_verified(client, user)

    response = client.get(reverse("admin:courses_enrollment_changelist"))

    assert response.status_code == status


def test_participants_are_listed_on_the_course_page(office_client):
    enrollment = EnrollmentFactory()

    response = office_client.get(
        reverse("admin:courses_course_change", args=[enrollment.course.pk])
    )

    assert enrollment.user.login_id in response.content.decode()


def test_csv_export_lists_participants_with_status(office_client):
    course = CourseFactory()
    EnrollmentFactory(course=course, user__last_name="=HYPERLINK(1)")
    WaitlistedFactory(course=course, waitlist_position=4)

    response = run_action(office_client, "course", "export_participants", [course])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(
        csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    )
    assert lines[0][:3] == ["Veranstaltungsnummer", "Titel", "Beginn"]
    statuses = sorted((line[9], line[10]) for line in lines[1:])
    assert statuses == [("Warteliste", "1"), ("zugelassen", "")]
    assert "'=HYPERLINK(1)" in [line[4] for line in lines[1:]]


def test_calling_off_a_course_tells_everyone(office_client):
    course = CourseFactory()
    seated = EnrollmentFactory(course=course)
    waiting = WaitlistedFactory(course=course)
    gone = EnrollmentFactory(course=course, status=Status.CANCELED)

    confirm = run_action(office_client, "course", "call_off", [course])
    run_action(
        office_client, "course", "call_off", [course], confirm="yes", reason="Krank"
    )

    assert confirm.status_code == 200
    course.refresh_from_db()
    assert course.is_canceled
    statuses = dict(Enrollment.objects.values_list("pk", "status"))
    assert statuses[seated.pk] == statuses[waiting.pk] == Status.COURSE_CANCELED
    assert statuses[gone.pk] == Status.CANCELED
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([seated.user.email, waiting.user.email])
    assert all("Krank" in message.body for message in mail.outbox)
    assert (
        "METHOD:CANCEL"
        in next(m for m in mail.outbox if m.to == [seated.user.email]).attachments[0][1]
    )


def test_raising_the_capacity_moves_the_waiting_list_up(office_client):
    course = CourseFactory(capacity=1)
    EnrollmentFactory(course=course)
    first = WaitlistedFactory(course=course, waitlist_position=1)
    second = WaitlistedFactory(course=course, waitlist_position=2)
    third = WaitlistedFactory(course=course, waitlist_position=3)
    url = reverse("admin:courses_course_change", args=[course.pk])
    form = office_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name not in {"target_career_groups", "registration_opens_at"}
    }
    data.update(
        {
            "capacity": 3,
            "starts_at_0": course.starts_at.strftime("%d.%m.%Y"),
            "starts_at_1": "09:00:00",
            "ends_at_0": course.ends_at.strftime("%d.%m.%Y"),
            "ends_at_1": "16:00:00",
            "registration_closes_at_0": course.registration_closes_at.strftime(
                "%d.%m.%Y"
            ),
            "registration_closes_at_1": "09:00:00",
            "enrollments-TOTAL_FORMS": 4,
            "enrollments-INITIAL_FORMS": 4,
            "enrollments-MIN_NUM_FORMS": 0,
            "enrollments-MAX_NUM_FORMS": 1000,
        }
    )
    for index, enrollment in enumerate(course.enrollments.order_by("pk")):
        data[f"enrollments-{index}-id"] = enrollment.pk
        data[f"enrollments-{index}-course"] = course.pk

    response = office_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    statuses = dict(Enrollment.objects.values_list("pk", "status"))
    assert [statuses[e.pk] for e in (first, second, third)] == [
        Status.ADMITTED,
        Status.ADMITTED,
        Status.WAITLISTED,
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [first.user.email, second.user.email]
    )


def test_marking_attendance_after_the_start(office_client):
    course = CourseFactory(starts_at=timezone.now() - timedelta(hours=1))
    present = EnrollmentFactory(course=course)
    canceled = EnrollmentFactory(course=course, status=Status.CANCELED)

    run_action(office_client, "enrollment", "attended", [present, canceled])

    present.refresh_from_db()
    canceled.refresh_from_db()
    assert (present.status, canceled.status) == (Status.ATTENDED, Status.CANCELED)


def test_attendance_before_the_start_is_refused(office_client):
    enrollment = EnrollmentFactory()

    response = run_action(office_client, "enrollment", "attended", [enrollment])

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == Status.ADMITTED


def test_office_admits_applicants_up_to_capacity_after_the_deadline(office_client):
    course = CourseFactory(
        capacity=1,
        selection_mode=Course.SelectionMode.BY_OFFICE,
        starts_at=timezone.now() + timedelta(weeks=3),
    )
    earlier = EnrollmentFactory(course=course, status=Status.REGISTERED)
    later = EnrollmentFactory(course=course, status=Status.REGISTERED)

    run_action(office_client, "enrollment", "admit", [earlier, later])
    run_action(office_client, "enrollment", "reject", [later])

    earlier.refresh_from_db()
    later.refresh_from_db()
    assert (earlier.status, later.status) == (Status.ADMITTED, Status.REJECTED)
    assert [m.to for m in mail.outbox] == [[earlier.user.email], [later.user.email]]
    assert mail.outbox[0].attachments


def test_admission_while_registration_is_open_is_refused(office_client):
    course = CourseFactory(selection_mode=Course.SelectionMode.BY_OFFICE)
    applicant = EnrollmentFactory(course=course, status=Status.REGISTERED)

    run_action(office_client, "enrollment", "admit", [applicant])

    applicant.refresh_from_db()
    assert applicant.status == Status.REGISTERED
