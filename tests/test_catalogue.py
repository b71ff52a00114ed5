from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from courses.demo import load_demo_courses
from courses.models import Course, Enrollment
from tests.factories import CareerGroupFactory, CourseFactory, EnrollmentFactory


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
    for course in CourseFactory.create_batch(25):
        EnrollmentFactory(course=course)

    # revision, places and career groups of the form, hits, page, places
    with django_assert_max_num_queries(6):
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


def catalogue(client, **params):
    response = client.get(reverse("courses:course_list"), params)
    return {course.title for course in response.context["courses"]}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("27-X1", {"Kostenrecht"}),
        ("grundbuch", {"Grundbuchrecht kompakt"}),
        ("übungsfall", {"Übungsfall Zivilprozess"}),
        ("Vollstreckung Grundbuch", set()),
        ("Zwangsvollstreckung", {"Kostenrecht"}),
    ],
)
def test_search_matches_every_word_in_number_title_or_description(
    client, db, term, expected
):
    CourseFactory(
        number="27-X1", title="Kostenrecht", description="Zwangsvollstreckung"
    )
    CourseFactory(title="Grundbuchrecht kompakt")
    CourseFactory(title="Übungsfall Zivilprozess")

    assert catalogue(client, q=term) == expected


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="German stemming needs PostgreSQL"
)
def test_search_on_postgresql_finds_inflected_forms(client, db):
    CourseFactory(title="Vernehmung von Zeugen", description="Befragungen im Verfahren")
    CourseFactory(title="Kostenrecht")

    assert catalogue(client, q="Vernehmungen") == {"Vernehmung von Zeugen"}
    assert catalogue(client, q="Befragung") == {"Vernehmung von Zeugen"}


def test_period_filter_uses_berlin_dates(client, db):
    # 23:30 UTC on 28 February is already 1 March in Berlin.
    CourseFactory(
        title="Märzbeginn", starts_at=datetime(2031, 2, 28, 23, 30, tzinfo=UTC)
    )
    CourseFactory(title="Februar", starts_at=datetime(2031, 2, 28, 10, 0, tzinfo=UTC))

    assert catalogue(client, date_from="2031-03-01") == {"Märzbeginn"}
    assert catalogue(client, date_to="2031-02-28") == {"Februar"}


def test_reversed_period_is_an_error(client, db):
    response = client.get(
        reverse("courses:course_list"),
        {"date_from": "2031-03-01", "date_to": "2031-02-01"},
    )

    assert (
        "Das Ende des Zeitraums liegt vor seinem Beginn." in response.content.decode()
    )


def test_format_and_town_filters(client, db):
    CourseFactory(title="Online", format=Course.Format.ONLINE, town="")
    CourseFactory(title="Stuttgart", town="Stuttgart")
    CourseFactory(title="Schwetzingen", town="Schwetzingen")

    assert catalogue(client, format="online") == {"Online"}
    assert catalogue(client, town="Stuttgart") == {"Stuttgart"}


def test_career_group_filter_keeps_courses_open_to_everyone(client, db):
    judges = CareerGroupFactory(code="R", short_name="Richter")
    clerks = CareerGroupFactory(code="MD", short_name="mittlerer Dienst")
    CourseFactory(title="Für alle")
    CourseFactory(title="Richter").target_career_groups.add(judges)
    CourseFactory(title="Mittlerer Dienst").target_career_groups.add(clerks, judges)

    assert catalogue(client, career_group=clerks.pk) == {
        "Für alle",
        "Mittlerer Dienst",
    }


def test_free_places_filter(client, db):
    full = CourseFactory(title="Voll", capacity=1)
    EnrollmentFactory(course=full)
    CourseFactory(title="Frei", capacity=1)
    by_office = CourseFactory(
        title="Auswahl", capacity=1, selection_mode=Course.SelectionMode.BY_OFFICE
    )
    EnrollmentFactory(course=by_office, status=Enrollment.Status.REGISTERED)

    assert catalogue(client, free_only="on") == {"Frei", "Auswahl"}


def test_pagination_keeps_the_filters(client, db):
    CourseFactory.create_batch(21, town="Stuttgart")

    response = client.get(reverse("courses:course_list"), {"town": "Stuttgart"})

    assert "?town=Stuttgart&amp;page=2" in response.content.decode()


def test_filtered_catalogue_query_count_is_fixed(client, db, django_assert_num_queries):
    group = CareerGroupFactory()
    for course in CourseFactory.create_batch(25, town="Stuttgart"):
        course.target_career_groups.add(group)
        EnrollmentFactory(course=course)
    params = {"q": "Test", "town": "Stuttgart", "career_group": group.pk}

    # revision, towns and groups to choose from, hits, page, places taken
    with django_assert_num_queries(6):
        response = client.get(reverse("courses:course_list"), params)
    assert len(response.context["courses"]) == 20

    # Kept while no course changes: the places taken, read with the revision.
    with django_assert_num_queries(1):
        again = client.get(reverse("courses:course_list"), params)
    assert again.content == response.content


def test_cards_and_form_show_every_change_at_once(client, db):
    # Cards and the search form are kept per process once rendered
    # (portal.fragments); a change must still show on the next request.
    course = CourseFactory(title="Grundbuchrecht kompakt", capacity=2, town="Ulm")
    url = reverse("courses:course_list")
    first = client.get(url).content.decode()
    assert "2 Plätze frei" in first
    assert '<option value="Ulm">Ulm</option>' in first

    EnrollmentFactory(course=course)
    Course.objects.filter(pk=course.pk).update(
        title="Grundbuchrecht für Eilige", town="Konstanz"
    )
    second = client.get(url).content.decode()

    assert "Grundbuchrecht für Eilige" in second
    assert "Grundbuchrecht kompakt" not in second
    assert "1 Platz frei" in second
    assert '<option value="Konstanz">Konstanz</option>' in second
    assert '<option value="Ulm">Ulm</option>' not in second
