from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.demo import load_demo_courses
from courses.models import Course
from tests.factories import CourseFactory


def test_catalogue_lists_upcoming_published_courses(client, db):
    upcoming = CourseFactory(title="Grundbuchrecht kompakt")
    CourseFactory(title="Schon vorbei", starts_at=timezone.now() - timedelta(days=30))
    CourseFactory(title="Nicht veröffentlicht", is_published=False)

    response = client.get(reverse("courses:course_list"))

    assert list(response.context["courses"]) == [upcoming]


def test_catalogue_search_matches_number_title_and_description(client, db):
    match = CourseFactory(title="Vernehmungstechnik")
    CourseFactory(title="Kostenrecht")

    response = client.get(reverse("courses:course_list"), {"q": "vernehmung"})

    assert list(response.context["courses"]) == [match]


def test_catalogue_query_count_does_not_grow_with_courses(
    client, db, django_assert_max_num_queries
):
    CourseFactory.create_batch(25)

    with django_assert_max_num_queries(4):
        response = client.get(reverse("courses:course_list"))

    assert len(response.context["courses"]) == 20


def test_course_detail_shows_dates_and_deadline(client, db):
    course = CourseFactory()

    response = client.get(reverse("courses:course_detail", args=[course.number]))

    assert response.status_code == 200
    assert "Anmeldeschluss" in response.content.decode()


def test_unknown_course_is_404(client, db):
    assert (
        client.get(reverse("courses:course_detail", args=["nope"])).status_code == 404
    )


def test_registration_closes_six_weeks_before_start_by_default(db):
    course = CourseFactory()

    assert course.starts_at - course.registration_closes_at == timedelta(weeks=6)


@pytest.mark.django_db
def test_demo_courses_lie_in_the_future_and_load_once(reference_data):
    load_demo_courses()
    load_demo_courses()

    assert Course.objects.count() == 17
    assert not Course.objects.filter(starts_at__lte=timezone.now()).exists()
    assert Course.objects.filter(target_career_groups__code="R").exists()
