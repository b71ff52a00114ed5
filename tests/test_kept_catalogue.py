"""The catalogue's lists are kept per process, and never shown stale."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from courses.models import CatalogueRevision, Course
from orgunits.models import CareerGroup
from tests.factories import CareerGroupFactory, CourseFactory, EnrollmentFactory

URL = reverse("courses:course_list")


def titles(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return [course.title for course in response.context["courses"]]


def page(client, **params):
    return client.get(URL, params).content.decode()


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda course: Course.objects.filter(pk=course.pk).update(
                title="Neu betitelt"
            ),
            id="update",
        ),
        pytest.param(
            lambda course: Course.objects.bulk_create(
                [
                    CourseFactory.build(
                        title="Neu betitelt",
                        number="BULK-1",
                        registration_closes_at=course.registration_closes_at,
                    )
                ]
            ),
            id="bulk_create",
        ),
        pytest.param(lambda course: course.delete(), id="delete"),
    ],
)
def test_every_kind_of_write_to_courses_shows_at_once(client, db, write):
    course = CourseFactory(title="Grundbuchrecht kompakt")
    before = titles(client)
    assert before == ["Grundbuchrecht kompakt"]

    write(course)

    assert titles(client) != before


def test_unpublishing_a_course_takes_it_off_the_kept_list(client, db):
    kept, hidden = CourseFactory(title="Bleibt"), CourseFactory(title="Geht")
    assert sorted(titles(client)) == ["Bleibt", "Geht"]

    hidden.is_published = False
    hidden.save()

    assert titles(client) == [kept.title]


def test_revision_rises_with_the_writing_transaction_only(db):
    course = CourseFactory()
    start = CatalogueRevision.current()

    with pytest.raises(RuntimeError), transaction.atomic():
        Course.objects.filter(pk=course.pk).update(title="Verworfen")
        # Inside the transaction the writer sees its own raised number...
        assert CatalogueRevision.current() > start
        raise RuntimeError

    # ...and a rolled-back write leaves the number as it was.
    assert CatalogueRevision.current() == start


def test_enrolments_show_without_a_new_revision(
    client, employee, django_assert_num_queries
):
    course = CourseFactory(title="Kostenrecht", capacity=2)
    assert "2 Plätze frei" in page(client)
    revision = CatalogueRevision.current()

    EnrollmentFactory(course=course, user=employee)

    # One statement: the places of the courses shown, with the revision.
    with django_assert_num_queries(1):
        shown = page(client)
    assert "1 Platz frei" in shown
    assert CatalogueRevision.current() == revision


def test_target_career_groups_and_career_groups_show_at_once(client, db):
    judges = CareerGroupFactory(code="R", short_name="Richter")
    clerks = CareerGroupFactory(code="MD", short_name="mittlerer Dienst")
    course = CourseFactory(title="Nur für Richter")
    course.target_career_groups.add(judges)
    assert titles(client, career_group=clerks.pk) == []

    course.target_career_groups.add(clerks)
    assert titles(client, career_group=clerks.pk) == ["Nur für Richter"]

    CareerGroup.objects.filter(pk=clerks.pk).update(short_name="Neuer Name")
    assert "Neuer Name" in page(client)

    CareerGroup.objects.filter(pk=clerks.pk).update(is_active=False)
    assert "Neuer Name" not in page(client)


def test_kept_list_ends_when_its_first_course_ends(client, db):
    now = timezone.now()
    CourseFactory(
        title="Endet bald",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(seconds=20),
        town="Ulm",
    )
    CourseFactory(title="Später", town="Konstanz")
    assert sorted(titles(client)) == ["Endet bald", "Später"]

    # Sooner than any kept list ends by age (catalogue.KEEP_SECONDS).
    with time_machine.travel(now + timedelta(seconds=30)):
        assert titles(client) == ["Später"]
        # The place of its last course leaves the search form, too.
        assert '<option value="Ulm">' not in page(client)


def test_a_kept_empty_page_still_sees_a_new_course(client, db):
    assert titles(client, q="Grundbuch") == []

    CourseFactory(title="Grundbuchrecht kompakt")

    assert titles(client, q="Grundbuch") == ["Grundbuchrecht kompakt"]


def test_filter_by_free_places_counts_every_time(client, db):
    full = CourseFactory(title="Bald voll", capacity=1)
    CourseFactory(title="Viel Platz", capacity=30)
    assert sorted(titles(client, free_only="on")) == ["Bald voll", "Viel Platz"]

    EnrollmentFactory(course=full)

    assert titles(client, free_only="on") == ["Viel Platz"]


def test_kept_courses_are_not_changed_by_the_places_of_a_request(client, db):
    course = CourseFactory(capacity=3)
    first = client.get(URL).context["courses"][0]
    EnrollmentFactory(course=course)

    second = client.get(URL).context["courses"][0]

    assert (first.seats_taken, second.seats_taken) == (0, 1)


def test_kept_search_drops_a_place_whose_last_course_ended(client, db):
    now = timezone.now()
    CourseFactory(title="Kostenrecht", town="Konstanz")
    CourseFactory(
        title="Grundbuchrecht",
        town="Ulm",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(seconds=20),
    )
    # The search finds only the course in Konstanz; its form lists both.
    assert '<option value="Ulm">' in page(client, q="Kostenrecht")

    # Sooner than any kept list ends by age (catalogue.KEEP_SECONDS).
    with time_machine.travel(now + timedelta(seconds=30)):
        shown = page(client, q="Kostenrecht")

    assert '<option value="Ulm">' not in shown
    assert '<option value="Konstanz">' in shown
