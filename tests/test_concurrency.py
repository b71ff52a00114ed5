"""Concurrent requests on PostgreSQL, where the row locks really apply."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from courses.models import Enrollment
from tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    UserFactory,
    WaitlistedFactory,
)

Status = Enrollment.Status
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL; SQLite runs writers one at a time",
    ),
]


def post_all_at_once(requests):
    """Send (user, url, data) requests, one thread each, released together."""
    barrier = threading.Barrier(len(requests))

    def send(user, url, data):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait()
            return client.post(url, data).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(lambda request: send(*request), requests))


def test_concurrent_enrolments_never_exceed_the_capacity():
    course = CourseFactory(capacity=3)
    users = UserFactory.create_batch(12)
    url = reverse("courses:enroll", args=[course.number])

    statuses = post_all_at_once([(user, url, {}) for user in users])

    assert statuses == [302] * 12
    enrollments = course.enrollments.all()
    assert enrollments.filter(status=Status.ADMITTED).count() == 3
    positions = sorted(
        enrollments.filter(status=Status.WAITLISTED).values_list(
            "waitlist_position", flat=True
        )
    )
    assert positions == list(range(1, 10))


def test_double_submitted_enrolment_creates_one():
    course = CourseFactory(capacity=5)
    user = UserFactory()
    url = reverse("courses:enroll", args=[course.number])

    statuses = post_all_at_once([(user, url, {})] * 6)

    # One enrolment; the others are told the person is registered already
    # (those that waited for the lock meet the unique constraint).
    assert statuses == [302] * 6
    assert course.enrollments.filter(user=user).count() == 1
    assert len(mail.outbox) == 1


def test_concurrent_cancellations_promote_each_waiting_person_once():
    course = CourseFactory(capacity=4)
    seated = EnrollmentFactory.create_batch(4, course=course)
    waiting = [
        WaitlistedFactory(course=course, waitlist_position=position)
        for position in (1, 2)
    ]
    requests = [
        (seat.user, reverse("courses:enrollment_cancel", args=[seat.pk]), {})
        for seat in seated
    ]

    post_all_at_once(requests)

    admitted = course.enrollments.filter(status=Status.ADMITTED)
    assert set(admitted) == set(waiting)
    promotions = [m for m in mail.outbox if "einen Platz" in m.subject]
    assert sorted(m.to[0] for m in promotions) == sorted(
        enrollment.user.email for enrollment in waiting
    )


def test_concurrent_capacity_raise_and_enrolments_stay_within_capacity():
    course = CourseFactory(capacity=1)
    EnrollmentFactory(course=course)
    WaitlistedFactory.create_batch(2, course=course)
    users = UserFactory.create_batch(6)
    url = reverse("courses:enroll", args=[course.number])
    office = UserFactory(is_superuser=True, is_staff=True)

    def raise_capacity():
        from courses.services import change_capacity

        try:
            change_capacity(course=course, capacity=4, actor=office)
        finally:
            connection.close()

    raiser = threading.Thread(target=raise_capacity)
    raiser.start()
    post_all_at_once([(user, url, {}) for user in users])
    raiser.join()

    assert course.enrollments.filter(status=Status.ADMITTED).count() == 4


def test_double_submitted_cancellation_sends_one_mail():
    enrollment = EnrollmentFactory()
    url = reverse("courses:enrollment_cancel", args=[enrollment.pk])

    post_all_at_once([(enrollment.user, url, {"reason": "doppelt"})] * 5)

    enrollment.refresh_from_db()
    assert enrollment.status == Status.CANCELED
    assert len(mail.outbox) == 1


def test_parallel_requests_never_pass_a_rate_limit_together():
    from accounts import throttle

    barrier = threading.Barrier(16)

    def ask(_):
        try:
            barrier.wait()
            return throttle.allow(scope="test", key="192.0.2.1", limit=5)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(ask, range(16)))

    assert answers.count(True) <= 5


def test_own_cancellation_does_not_deadlock_with_a_transaction_holding_the_account():
    # As the anonymisation of an account does: it locks the account, then
    # cancels course after course, while the person cancels one of them.
    import time

    from django.db import transaction

    from accounts.services import lock_account
    from courses.services import cancel_enrollment

    enrollment = EnrollmentFactory()
    user, errors = enrollment.user, []
    account_locked = threading.Event()

    def holding_the_account():
        try:
            with transaction.atomic():
                lock_account(user)
                account_locked.set()
                time.sleep(0.5)  # the person's cancellation takes the course
                cancel_enrollment(enrollment=enrollment, actor=user, notify=False)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    def own_cancellation():
        account_locked.wait()
        try:
            cancel_enrollment(enrollment=enrollment, actor=user, notify=False)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=f) for f in (holding_the_account, own_cancellation)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    enrollment.refresh_from_db()
    assert enrollment.status == Status.CANCELED
