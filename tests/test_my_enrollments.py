import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrollment
from tests.factories import CourseFactory, EnrollmentFactory, WaitlistedFactory

Status = Enrollment.Status
pytestmark = pytest.mark.django_db


def rows(response):
    body = response.content.decode().split("<tbody", 1)[1]
    return [
        [
            re.sub(r"<[^>]+>|\s+", " ", cell).split()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_anonymous_visitor_is_sent_to_the_login(client):
    response = client.get(reverse("courses:my_enrollments"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_table_has_status_second_to_last_and_cancel_last(client, employee):
    EnrollmentFactory(user=employee)
    client.force_login(employee)

    response = client.get(reverse("courses:my_enrollments"))

    headers = re.findall(r"<th [^>]*>(.*?)</th>", response.content.decode(), re.S)
    assert [re.sub(r"<[^>]+>", "", header) for header in headers] == [
        "Veranstaltung",
        "Termin",
        "Ort",
        "Status",
        "Aktion",
    ]
    (row,) = rows(response)
    assert row[3] == ["zugelassen"]
    assert row[4][0] == "Stornieren"


def test_upcoming_courses_come_first_then_the_past_most_recent_first(client, employee):
    now = timezone.now()
    later = EnrollmentFactory(user=employee, course__starts_at=now + timedelta(days=90))
    soon = EnrollmentFactory(user=employee, course__starts_at=now + timedelta(days=9))
    long_ago = EnrollmentFactory(
        user=employee, course__starts_at=now - timedelta(days=300)
    )
    recent = EnrollmentFactory(
        user=employee, course__starts_at=now - timedelta(days=30)
    )
    client.force_login(employee)

    shown = rows(client.get(reverse("courses:my_enrollments")))

    assert [row[0][0] for row in shown] == [
        enrollment.course.number for enrollment in (soon, later, recent, long_ago)
    ]


@pytest.mark.parametrize(
    ("kwargs", "status", "last_column"),
    [
        ({"status": Status.REGISTERED}, "angemeldet", "Stornieren"),
        ({"status": Status.CANCELED}, "storniert", "Bereits storniert"),
        ({"status": Status.REJECTED}, "abgelehnt", "Nicht zugelassen"),
        (
            {"status": Status.COURSE_CANCELED},
            "abgesagt",
            "Die Veranstaltung wurde abgesagt",
        ),
        ({"status": Status.ATTENDED}, "teilgenommen", "Teilgenommen"),
        (
            {"course__starts_at": timezone.now() - timedelta(hours=2)},
            "zugelassen",
            "Die Veranstaltung hat begonnen",
        ),
    ],
)
def test_status_words_and_reasons(client, employee, kwargs, status, last_column):
    EnrollmentFactory(user=employee, **kwargs)
    client.force_login(employee)

    (row,) = rows(client.get(reverse("courses:my_enrollments")))

    assert " ".join(row[3]) == status
    assert " ".join(row[4]).startswith(last_column)


def test_waiting_list_shows_the_position_among_those_still_waiting(client, employee):
    course = CourseFactory(capacity=0)
    WaitlistedFactory(course=course, waitlist_position=4)
    WaitlistedFactory(course=course, waitlist_position=9, user=employee)
    client.force_login(employee)

    (row,) = rows(client.get(reverse("courses:my_enrollments")))

    assert " ".join(row[3]) == "Warteliste (Platz 2)"


def test_dates_are_shown_in_berlin_time(client, employee):
    # 23:30 UTC on 31 March is 01:30 on 1 April in Berlin (summer time).
    starts_at = datetime(2031, 3, 31, 23, 30, tzinfo=UTC)
    EnrollmentFactory(user=employee, course__starts_at=starts_at)
    client.force_login(employee)

    (row,) = rows(client.get(reverse("courses:my_enrollments")))

    assert row[1][:2] == ["01.04.2031", "01:30"]


def test_only_own_enrolments_are_listed(client, employee):
    EnrollmentFactory()
    client.force_login(employee)

    response = client.get(reverse("courses:my_enrollments"))

    assert "<tbody" not in response.content.decode()
    assert "noch zu keiner Veranstaltung angemeldet" in response.content.decode()


def test_query_count_does_not_grow_with_enrolments(
    client, employee, django_assert_num_queries
):
    EnrollmentFactory.create_batch(12, user=employee)
    WaitlistedFactory.create_batch(3, user=employee, course__capacity=0)
    client.force_login(employee)

    kept = connection.vendor == "postgresql"  # see courses.my_enrollments
    # the session with its account and whether it has a second factor,
    # the table's fingerprint, enrolments with their courses; renewing the
    # session's idle window (force_login leaves it unstamped), in a
    # transaction of its own
    with django_assert_num_queries(5 + kept):
        response = client.get(reverse("courses:my_enrollments"))
    # Kept: the session and the fingerprint; or else the session and rows.
    with django_assert_num_queries(2):
        again = client.get(reverse("courses:my_enrollments"))

    assert len(rows(response)) == 15
    assert rows(again) == rows(response)


def test_a_changed_status_shows_at_once(client, employee):
    # Rows are kept per process once rendered (portal.fragments).
    enrollment = EnrollmentFactory(user=employee)
    client.force_login(employee)
    url = reverse("courses:my_enrollments")
    (before,) = rows(client.get(url))

    Enrollment.objects.filter(pk=enrollment.pk).update(status=Status.CANCELED)
    (after,) = rows(client.get(url))

    assert " ".join(before[3]) == "zugelassen"
    assert " ".join(after[3]) == "storniert"
    assert " ".join(after[4]).startswith("Bereits storniert")
