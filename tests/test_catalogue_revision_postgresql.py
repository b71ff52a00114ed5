"""The catalogue revision's triggers on PostgreSQL (migration courses 0008)."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from courses.models import CatalogueRevision, Course
from tests.factories import CourseFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="sequences, replication roles and row locks need PostgreSQL",
    ),
]


def test_numbers_never_repeat_after_the_row_was_deleted():
    course = CourseFactory()
    seen = CatalogueRevision.current()
    CatalogueRevision.objects.all().delete()  # as manage.py flush does
    assert CatalogueRevision.current() is None

    for title in ("eins", "zwei", "drei"):
        Course.objects.filter(pk=course.pk).update(title=title)

    assert CatalogueRevision.current() > seen


def test_a_session_in_replica_mode_raises_it_too():
    course = CourseFactory()
    before = CatalogueRevision.current()

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(
                "UPDATE courses_course SET title = 'Geladen' WHERE id = %s",
                [course.pk],
            )
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")

    assert CatalogueRevision.current() != before


def test_writers_of_several_courses_queue_instead_of_deadlocking():
    first, second = CourseFactory(), CourseFactory()
    first_written = threading.Event()
    errors = []

    def write_both():
        try:
            with transaction.atomic():
                Course.objects.filter(pk=first.pk).update(title="A1")
                first_written.set()
                time.sleep(0.5)  # the other writer reaches the second course
                Course.objects.filter(pk=second.pk).update(title="A2")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    def write_second():
        first_written.wait(5)
        try:
            with transaction.atomic():
                Course.objects.filter(pk=second.pk).update(title="B2")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=write_both),
        threading.Thread(target=write_second),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert errors == []
    # The single writer waited for the other and wrote last.
    assert Course.objects.get(pk=second.pk).title == "B2"
