from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, Enrollment
from courses.services import EnrollmentError, enroll
from tests.factories import (
    CareerGroupFactory,
    CourseFactory,
    EnrollmentFactory,
    UserFactory,
    WaitlistedFactory,
)

Status = Enrollment.Status
pytestmark = pytest.mark.django_db


def test_enrolment_takes_a_free_place_and_mails_a_calendar_file(employee):
    course = CourseFactory(capacity=2)

    enrollment = enroll(course=course, user=employee)

    assert enrollment.status == Status.ADMITTED
    assert enrollment.career_group == employee.career_group
    (message,) = mail.outbox
    assert message.to == [employee.email]
    assert course.number in message.subject
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == ("veranstaltung.ics", "text/calendar")
    assert "METHOD:PUBLISH" in content
    assert f"UID:enrollment-{enrollment.pk}@" in content


def test_full_course_puts_the_next_ones_on_the_waiting_list_in_order(employee):
    course = CourseFactory(capacity=1)
    EnrollmentFactory(course=course)
    other = UserFactory()

    first = enroll(course=course, user=employee)
    second = enroll(course=course, user=other)

    assert (first.status, first.waitlist_position) == (Status.WAITLISTED, 1)
    assert (second.status, second.waitlist_position) == (Status.WAITLISTED, 2)
    assert "Platz 2 der Warteliste" in mail.outbox[-1].body
    assert not mail.outbox[-1].attachments


def test_course_chosen_by_the_office_takes_applications_beyond_capacity(employee):
    course = CourseFactory(capacity=1, selection_mode=Course.SelectionMode.BY_OFFICE)
    EnrollmentFactory(course=course, status=Status.REGISTERED)

    enrollment = enroll(course=course, user=employee)

    assert enrollment.status == Status.REGISTERED
    assert enrollment.waitlist_position is None


@pytest.mark.parametrize(
    "course_kwargs",
    [
        # registration closed: the default closes six weeks before the start
        {"starts_at_in": timedelta(weeks=5)},
        {"starts_at_in": timedelta(weeks=10), "opens_in": timedelta(days=1)},
        {"starts_at_in": -timedelta(hours=1)},
        {"starts_at_in": timedelta(weeks=10), "canceled": True},
        {"starts_at_in": timedelta(weeks=10), "is_published": False},
    ],
    ids=["deadline passed", "not yet open", "course began", "called off", "hidden"],
)
def test_enrolment_outside_the_registration_window_is_refused(employee, course_kwargs):
    now = timezone.now()
    course = CourseFactory(
        starts_at=now + course_kwargs["starts_at_in"],
        registration_opens_at=now + course_kwargs.get("opens_in", -timedelta(days=1)),
        canceled_at=now if course_kwargs.get("canceled") else None,
        is_published=course_kwargs.get("is_published", True),
    )

    with pytest.raises(EnrollmentError):
        enroll(course=course, user=employee)

    assert not Enrollment.objects.exists()
    assert not mail.outbox


def test_enrolment_closes_at_the_deadline_itself(employee):
    course = CourseFactory()

    enroll(course=course, user=employee, now=course.registration_closes_at)
    with pytest.raises(EnrollmentError):
        enroll(
            course=course,
            user=UserFactory(),
            now=course.registration_closes_at + timedelta(seconds=1),
        )


def test_wrong_career_group_is_refused(employee):
    course = CourseFactory()
    course.target_career_groups.add(CareerGroupFactory(code="R", short_name="Richter"))

    with pytest.raises(EnrollmentError, match="Laufbahngruppe"):
        enroll(course=course, user=employee)


def test_listed_career_group_is_admitted(employee):
    course = CourseFactory()
    course.target_career_groups.add(employee.career_group)

    assert enroll(course=course, user=employee).status == Status.ADMITTED


def test_second_enrolment_of_the_same_person_is_refused(employee):
    course = CourseFactory()
    enroll(course=course, user=employee)

    with pytest.raises(EnrollmentError, match="bereits angemeldet"):
        enroll(course=course, user=employee)

    assert course.enrollments.count() == 1


def test_person_may_enrol_again_after_cancelling(employee):
    course = CourseFactory()
    EnrollmentFactory(
        course=course, user=employee, status=Status.CANCELED, canceled_at=timezone.now()
    )

    assert enroll(course=course, user=employee).status == Status.ADMITTED


def test_waiting_list_position_follows_the_last_one_still_waiting(employee):
    course = CourseFactory(capacity=0)
    WaitlistedFactory(course=course, waitlist_position=7)

    assert enroll(course=course, user=employee).waitlist_position == 8


def test_enrol_view_registers_and_redirects_to_my_courses(client, employee):
    course = CourseFactory()
    client.force_login(employee)

    response = client.post(reverse("courses:enroll", args=[course.number]))

    assert response.status_code == 302
    assert response.url == reverse("courses:my_enrollments")
    assert course.enrollments.get().user == employee


def test_enrol_view_query_count_does_not_grow_with_the_course(
    client, employee, settings, django_assert_num_queries
):
    # The production task backend: the mail's delivery is a row, not a run.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "ENQUEUE_ON_COMMIT": False,
        }
    }
    course = CourseFactory(capacity=3)
    EnrollmentFactory.create_batch(3, course=course)
    WaitlistedFactory.create_batch(2, course=course)
    client.force_login(employee)
    client.get(reverse("courses:course_list"))  # stamps the session's renewal

    # the session with its account; BEGIN, the course and its places found
    # and locked with whether it takes the user's career group and whether
    # the user is registered already; the enrolment, its mail, the mail's
    # delivery task, the audit entry; COMMIT
    with django_assert_num_queries(8):
        response = client.post(reverse("courses:enroll", args=[course.number]))

    assert response.status_code == 302
    assert course.enrollments.get(user=employee).status == Status.WAITLISTED


def test_enrol_view_answers_404_for_an_unknown_or_hidden_course(client, employee):
    hidden = CourseFactory(is_published=False)
    client.force_login(employee)

    for number in (hidden.number, "GIBT-ES-NICHT"):
        response = client.post(reverse("courses:enroll", args=[number]))
        assert response.status_code == 404
    assert not Enrollment.objects.exists()


def test_enrol_view_shows_the_refusal_on_the_course_page(client, employee):
    course = CourseFactory(starts_at=timezone.now() + timedelta(weeks=1))
    client.force_login(employee)

    response = client.post(reverse("courses:enroll", args=[course.number]), follow=True)

    assert response.redirect_chain[-1][0] == course.get_absolute_url()
    assert "keine Anmeldung möglich" in response.content.decode()


def test_enrol_view_sends_anonymous_visitors_to_the_login(client, db):
    course = CourseFactory()

    response = client.post(reverse("courses:enroll", args=[course.number]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not Enrollment.objects.exists()


def test_enrol_view_sends_a_get_to_the_course_page_and_enrols_no_one(client, employee):
    course = CourseFactory()
    client.force_login(employee)

    response = client.get(reverse("courses:enroll", args=[course.number]))

    assert response.status_code == 302
    assert response.url == reverse("courses:course_detail", args=[course.number])
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(
    ("capacity", "taken", "text"),
    [(3, 1, "2 Plätze frei"), (1, 1, "Ausgebucht, Warteliste offen")],
)
def test_course_page_shows_free_places(client, db, capacity, taken, text):
    course = CourseFactory(capacity=capacity)
    EnrollmentFactory.create_batch(taken, course=course)

    response = client.get(course.get_absolute_url())

    assert text in response.content.decode()


def test_course_page_shows_the_waiting_list_position_of_the_visitor(client, employee):
    course = CourseFactory(capacity=0)
    WaitlistedFactory(course=course, waitlist_position=3)
    WaitlistedFactory(course=course, user=employee, waitlist_position=5)
    client.force_login(employee)

    response = client.get(course.get_absolute_url())

    assert "Warteliste (Platz 2)" in response.content.decode()
