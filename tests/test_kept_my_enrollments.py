"""The table of "Meine Bildungsmaßnahmen" is kept per person, never stale."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from courses import my_enrollments
from courses.models import Course, Enrollment
from courses.services import cancel_enrollment, enroll
from tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    UserFactory,
    WaitlistedFactory,
)
from tests.test_my_enrollments import rows

Status = Enrollment.Status
URL = reverse("courses:my_enrollments")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the table is kept on PostgreSQL only (courses.my_enrollments)",
    ),
]


def shown(client):
    """The rows as (course number, status, last column, date, place)."""
    response = client.get(URL)
    if "<tbody" not in response.content.decode():
        return []
    return [
        (row[0][0], " ".join(row[3]), " ".join(row[4]), *map(" ".join, row[1:3]))
        for row in rows(response)
    ]


@pytest.fixture
def person(client, employee):
    client.force_login(employee)
    return employee


def test_a_kept_table_is_served_without_reading_the_rows(
    client, person, django_assert_num_queries
):
    EnrollmentFactory.create_batch(3, user=person)
    first = shown(client)

    # The session with its account, and the fingerprint.
    with django_assert_num_queries(2):
        assert shown(client) == first


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda e: Enrollment.objects.filter(pk=e.pk).update(status=Status.CANCELED),
            id="update",
        ),
        pytest.param(
            lambda e: cancel_enrollment(enrollment=e, actor=e.user, notify=False),
            id="service",
        ),
        pytest.param(
            lambda e: Course.objects.filter(pk=e.course_id).update(number="NEU-1"),
            id="course-number",
        ),
        pytest.param(
            lambda e: Course.objects.filter(pk=e.course_id).update(
                starts_at=e.course.starts_at + timedelta(days=1),
                ends_at=e.course.ends_at + timedelta(days=1),
            ),
            id="course-dates",
        ),
        pytest.param(
            lambda e: Course.objects.filter(pk=e.course_id).update(town="", venue=""),
            id="course-place",
        ),
        pytest.param(
            lambda e: EnrollmentFactory(user=e.user, course__number="ZWEITE"),
            id="new-enrolment",
        ),
        pytest.param(lambda e: e.delete(), id="delete"),
        pytest.param(
            lambda e: _sql(
                "UPDATE courses_enrollment SET status = 'rejected' WHERE id = %s",
                e.pk,
            ),
            id="sql",
        ),
    ],
)
def test_every_kind_of_write_shows_at_once(client, person, write):
    enrollment = EnrollmentFactory(user=person, course__number="ERSTE")
    before = shown(client)

    write(enrollment)

    assert shown(client) != before


def _sql(statement, *params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_rank_follows_those_ahead_leaving(client, person):
    course = CourseFactory(capacity=0)
    ahead = WaitlistedFactory(course=course, waitlist_position=1)
    WaitlistedFactory(course=course, waitlist_position=2, user=person)
    assert shown(client)[0][1] == "Warteliste (Platz 2)"

    # Somebody else's enrolment, not the person's own.
    cancel_enrollment(enrollment=ahead, actor=ahead.user, notify=False)

    assert shown(client)[0][1] == "Warteliste (Platz 1)"


def test_a_place_given_by_the_office_shows_at_once(client, person):
    course = CourseFactory(capacity=1)
    EnrollmentFactory(course=course)
    waiting = enroll(user=person, course=course)
    assert shown(client)[0][1] == "Warteliste (Platz 1)"

    Enrollment.objects.filter(pk=waiting.pk).update(
        status=Status.ADMITTED, waitlist_position=None
    )

    assert shown(client)[0][1] == "zugelassen"


def test_nobody_sees_another_persons_table(client, person):
    EnrollmentFactory(user=person, course__number="MEINE")
    other = UserFactory()
    EnrollmentFactory(user=other, course__number="FREMDE")
    assert [row[0] for row in shown(client)] == ["MEINE"]

    client.force_login(other)

    assert [row[0] for row in shown(client)] == ["FREMDE"]


def test_a_course_that_begins_can_no_longer_be_cancelled(client, person):
    now = timezone.now()
    EnrollmentFactory(
        user=person,
        course__starts_at=now + timedelta(minutes=5),
        course__ends_at=now + timedelta(hours=3),
    )
    assert shown(client)[0][2].startswith("Stornieren")

    with time_machine.travel(now + timedelta(minutes=6)):
        assert shown(client)[0][2] == "Die Veranstaltung hat begonnen"


def test_a_course_that_ends_moves_among_the_past_ones(client, person):
    now = timezone.now()
    EnrollmentFactory(
        user=person,
        course__number="ENDET",
        course__starts_at=now - timedelta(hours=3),
        course__ends_at=now + timedelta(minutes=5),
    )
    EnrollmentFactory(
        user=person,
        course__number="VORBEI",
        course__starts_at=now - timedelta(days=3),
        course__ends_at=now - timedelta(days=2),
    )
    EnrollmentFactory(
        user=person,
        course__number="SPAETER",
        course__starts_at=now + timedelta(days=30),
    )
    assert [row[0] for row in shown(client)] == ["ENDET", "SPAETER", "VORBEI"]

    with time_machine.travel(now + timedelta(minutes=6)):
        assert [row[0] for row in shown(client)] == ["SPAETER", "ENDET", "VORBEI"]


def test_values_that_read_alike_give_different_fingerprints(person):
    # Joined without quoting, both would read "A, B, C".
    enrollment = EnrollmentFactory(user=person, course__town="A, B", course__venue="C")
    first = my_enrollments.fingerprint(person)

    Course.objects.filter(pk=enrollment.course_id).update(town="A", venue="B, C")

    assert my_enrollments.fingerprint(person) != first


def test_a_person_without_enrolments_is_kept_too(client, person):
    assert my_enrollments.fingerprint(person) == my_enrollments.EMPTY
    assert shown(client) == []

    EnrollmentFactory(user=person, course__number="ERSTE")

    assert [row[0] for row in shown(client)] == ["ERSTE"]


def test_a_write_between_fingerprint_and_rows_is_not_kept_as_the_old_data(person):
    # The fingerprint is read, then somebody writes, then the rows are read:
    # the table shows the write and must not be kept as the data before it,
    # which the data meets again once the write is undone.
    from courses.views import _enrollment_rows

    enrollment = EnrollmentFactory(user=person, course__title="Vorher")

    def rows_after_a_write():
        Course.objects.filter(pk=enrollment.course_id).update(title="Zwischendurch")
        return _enrollment_rows().filter(user=person)

    my_enrollments.table(person, rows=rows_after_a_write)
    Course.objects.filter(pk=enrollment.course_id).update(title="Vorher")

    html = my_enrollments.table(
        person, rows=lambda: _enrollment_rows().filter(user=person)
    )
    assert "Vorher" in html
    assert "Zwischendurch" not in html


def test_the_order_of_rows_that_start_together_follows_the_registration(client, person):
    now = timezone.now()
    starts_at = now + timedelta(days=20)
    first = EnrollmentFactory(
        user=person, course__number="A", course__starts_at=starts_at, created_at=now
    )
    EnrollmentFactory(
        user=person,
        course__number="B",
        course__starts_at=starts_at,
        created_at=now + timedelta(minutes=1),
    )
    assert [row[0] for row in shown(client)] == ["A", "B"]

    Enrollment.objects.filter(pk=first.pk).update(created_at=now + timedelta(hours=1))

    assert [row[0] for row in shown(client)] == ["B", "A"]
