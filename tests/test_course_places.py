"""The database keeps each course's places: always as the enrolments say."""

import io
import random

import pytest
from django.db import connection
from django.db.models import Count, Max, Q

from courses.models import Course, CoursePlaces, Enrollment
from courses.services import cancel_enrollment, enroll
from tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    UserFactory,
    WaitlistedFactory,
)

Status = Enrollment.Status
pytestmark = pytest.mark.django_db


def counted(course):
    """(seated, waiting) as the enrolments say."""
    figures = Enrollment.objects.filter(course=course).aggregate(
        seated=Count("pk", filter=Q(status__in=Enrollment.SEATED_STATUSES)),
        waiting=Count("pk", filter=Q(status=Status.WAITLISTED)),
    )
    return figures["seated"], figures["waiting"]


def kept(course):
    places = CoursePlaces.objects.get(course=course)
    return places.seated, places.waiting


def test_a_new_course_has_its_row_with_nothing_taken():
    course = CourseFactory()

    assert kept(course) == (0, 0)


def _sql(statement, *params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda c, e: enroll(user=UserFactory(), course=c), id="enrol"),
        pytest.param(
            lambda c, e: cancel_enrollment(enrollment=e, actor=e.user, notify=False),
            id="cancel-and-promote",
        ),
        pytest.param(
            lambda c, e: Enrollment.objects.filter(course=c).update(
                status=Status.REJECTED, waitlist_position=None
            ),
            id="update",
        ),
        pytest.param(
            lambda c, e: Enrollment.objects.bulk_create(
                [
                    Enrollment(course=c, user=UserFactory(), status=Status.ADMITTED)
                    for _ in range(3)
                ]
            ),
            id="bulk_create",
        ),
        pytest.param(lambda c, e: e.delete(), id="delete"),
        pytest.param(
            lambda c, e: Enrollment.objects.filter(pk=e.pk).update(
                course=CourseFactory()
            ),
            id="moved-to-another-course",
        ),
        pytest.param(
            lambda c, e: Enrollment.objects.filter(
                course=c, status=Status.WAITLISTED
            ).update(status=Status.ATTENDED, waitlist_position=None),
            id="attended",
        ),
        pytest.param(
            lambda c, e: _sql(
                "UPDATE courses_enrollment SET status = 'canceled', "
                "waitlist_position = NULL WHERE course_id = %s AND status = %s",
                c.pk,
                Status.WAITLISTED,
            ),
            id="sql",
        ),
        pytest.param(
            lambda c, e: Enrollment.objects.filter(pk=e.pk).update(
                cancel_reason="nur ein Text"
            ),
            id="uncounted-column",
        ),
    ],
)
def test_every_kind_of_write_keeps_the_counts(write):
    course = CourseFactory(capacity=2)
    first = EnrollmentFactory(course=course)
    EnrollmentFactory(course=course, status=Status.REGISTERED)
    EnrollmentFactory(course=course)
    WaitlistedFactory.create_batch(2, course=course)
    assert kept(course) == counted(course) == (2, 2)

    write(course, first)

    for each in Course.objects.all():
        assert kept(each) == counted(each)


def test_waiting_list_positions_are_never_handed_out_twice():
    course = CourseFactory(capacity=0)
    first = enroll(user=UserFactory(), course=course)
    last = enroll(user=UserFactory(), course=course)
    cancel_enrollment(enrollment=last, actor=last.user, notify=False)

    newcomer = enroll(user=UserFactory(), course=course)

    assert (first.waitlist_position, newcomer.waitlist_position) == (1, 3)
    assert CoursePlaces.objects.get(course=course).last_position == 3


def test_a_random_history_of_writes_leaves_the_counts_right():
    rng = random.Random(20261205)
    courses = CourseFactory.create_batch(3, capacity=2)
    users = UserFactory.create_batch(8)
    statuses = list(Status)
    for _ in range(60):
        course, user = rng.choice(courses), rng.choice(users)
        action = rng.randrange(4)
        active = Enrollment.objects.filter(
            course=course, status__in=Enrollment.ACTIVE_STATUSES
        )
        if action == 0 and not active.filter(user=user).exists():
            enroll(user=user, course=course)
        elif action == 1 and active.exists():
            enrollment = rng.choice(list(active))
            cancel_enrollment(enrollment=enrollment, actor=user, notify=False)
        elif action == 2:
            Enrollment.objects.filter(
                pk__in=Enrollment.objects.filter(course=course)
                .exclude(status=Status.WAITLISTED)
                .values("pk")[:2]
            ).update(status=rng.choice(statuses[3:]), waitlist_position=None)
        elif action == 3:
            Enrollment.objects.filter(course=course, status=Status.REJECTED).delete()

    for course in courses:
        assert kept(course) == counted(course)
        last = Enrollment.objects.filter(course=course).aggregate(
            last=Max("waitlist_position")
        )["last"]
        assert CoursePlaces.objects.get(course=course).last_position >= (last or 0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
@pytest.mark.django_db(transaction=True)
def test_emptying_the_enrolments_empties_the_counts():
    course = CourseFactory()
    EnrollmentFactory.create_batch(2, course=course)

    _sql("TRUNCATE courses_enrollment CASCADE")

    assert kept(course) == (0, 0)


def test_counting_anew_repairs_what_a_load_without_triggers_left():
    from django.core.management import call_command

    right = CourseFactory(capacity=1)
    EnrollmentFactory(course=right)
    WaitlistedFactory(course=right, waitlist_position=4)
    wrong, missing = CourseFactory(), CourseFactory()
    EnrollmentFactory.create_batch(2, course=wrong)
    EnrollmentFactory(course=missing)
    # As a restore with the triggers switched off would leave them.
    CoursePlaces.objects.filter(course=wrong).update(seated=7, last_position=9)
    CoursePlaces.objects.filter(course=missing).delete()

    call_command("count_course_places", stdout=io.StringIO())

    for course in (right, wrong, missing):
        assert kept(course) == counted(course)
    # Positions already handed out stay handed out.
    assert CoursePlaces.objects.get(course=wrong).last_position == 9
    assert CoursePlaces.objects.get(course=right).last_position == 4
    assert CoursePlaces.count_anew() == 0


def test_a_count_left_wrong_does_not_block_cancellations():
    enrollment = EnrollmentFactory()
    # As a load with the triggers switched off could leave it.
    CoursePlaces.objects.filter(course=enrollment.course).update(seated=0)

    cancel_enrollment(enrollment=enrollment, actor=enrollment.user, notify=False)

    assert kept(enrollment.course) == (0, 0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks")
@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_what_the_running_portal_writes_meanwhile():
    # A release migrates while the old version still serves: an enrolment
    # written before the count but committed after it must be counted.
    import threading
    import time

    from django.core.management import call_command
    from django.db import connections, transaction

    course = CourseFactory(capacity=4)
    EnrollmentFactory.create_batch(3, course=course)
    call_command("migrate", "courses", "0008", verbosity=0)
    inserted = threading.Event()

    def open_enrolment():
        try:
            with transaction.atomic():
                EnrollmentFactory(course=course)
                inserted.set()
                time.sleep(1)
        finally:
            connections.close_all()

    writer = threading.Thread(target=open_enrolment)
    writer.start()
    try:
        inserted.wait()
        call_command("migrate", "courses", verbosity=0)
    finally:
        writer.join()
        call_command("migrate", verbosity=0)

    assert kept(course) == counted(course) == (4, 0)
