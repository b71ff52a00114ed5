from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from courses.models import Enrollment
from courses.services import (
    EnrollmentError,
    cancel_enrollment,
    cancel_future_enrollments,
)
from tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    UserFactory,
    WaitlistedFactory,
)

Status = Enrollment.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment(employee):
    return EnrollmentFactory(user=employee)


def cancel_url(enrollment):
    return reverse("courses:enrollment_cancel", args=[enrollment.pk])


def test_confirmation_page_names_course_and_dates(client, enrollment):
    client.force_login(enrollment.user)

    response = client.get(cancel_url(enrollment))

    page = response.content.decode()
    assert response.status_code == 200
    assert enrollment.course.title in page
    assert "Stornieren</span></button>" in page
    assert "Abbrechen" in page
    assert "Kurzfristige Stornierung" not in page


def test_confirmation_page_warns_within_the_notice_period(client, employee):
    course = CourseFactory(starts_at=timezone.now() + timedelta(days=10))
    enrollment = EnrollmentFactory(course=course, user=employee)
    client.force_login(employee)

    response = client.get(cancel_url(enrollment))

    assert "Kurzfristige Stornierung" in response.content.decode()


def test_confirming_cancels_and_shows_the_result_page(client, enrollment):
    client.force_login(enrollment.user)

    response = client.post(cancel_url(enrollment), {"reason": "Krank"}, follow=True)

    enrollment.refresh_from_db()
    assert enrollment.status == Status.CANCELED
    assert enrollment.canceled_by == enrollment.user
    assert enrollment.cancel_reason == "Krank"
    assert enrollment.canceled_at is not None
    page = response.content.decode()
    assert "storniert" in page
    assert "Zurück zur Übersicht" in page
    assert AuditEntry.objects.filter(action="enrollment.canceled").exists()


def test_cancellation_mail_carries_a_cancelling_calendar_file(client, enrollment):
    client.force_login(enrollment.user)

    client.post(cancel_url(enrollment))

    (message,) = mail.outbox
    assert message.to == [enrollment.user.email]
    assert "Stornierung" in message.subject
    (_, content, _) = message.attachments[0]
    assert "METHOD:CANCEL" in content
    assert "STATUS:CANCELLED" in content
    assert f"UID:enrollment-{enrollment.pk}@" in content


def test_second_submission_changes_and_sends_nothing(client, enrollment):
    client.force_login(enrollment.user)
    client.post(cancel_url(enrollment), {"reason": "first"})
    canceled_at = Enrollment.objects.get().canceled_at

    response = client.post(cancel_url(enrollment), {"reason": "second"})

    assert response.status_code == 302
    assert response.url == reverse("courses:enrollment_canceled", args=[enrollment.pk])
    enrollment.refresh_from_db()
    assert (enrollment.cancel_reason, enrollment.canceled_at) == ("first", canceled_at)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("url_name", "method"),
    [
        ("enrollment_cancel", "get"),
        ("enrollment_cancel", "post"),
        ("enrollment_canceled", "get"),
    ],
)
def test_someone_elses_enrolment_is_404(client, enrollment, url_name, method):
    client.force_login(UserFactory())
    url = reverse(f"courses:{url_name}", args=[enrollment.pk])

    response = getattr(client, method)(url)

    assert response.status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.status == Status.ADMITTED


def test_anonymous_visitor_is_sent_to_the_login(client, enrollment):
    response = client.post(cancel_url(enrollment))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    enrollment.refresh_from_db()
    assert enrollment.status == Status.ADMITTED


def test_course_that_began_cannot_be_cancelled(client, employee):
    course = CourseFactory(starts_at=timezone.now() - timedelta(hours=1))
    enrollment = EnrollmentFactory(course=course, user=employee)
    client.force_login(employee)

    page = client.get(cancel_url(enrollment)).content.decode()
    response = client.post(cancel_url(enrollment))

    assert "Die Veranstaltung hat begonnen" in page
    assert "<button" not in page.split("<main")[1].split("</main>")[0]
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == Status.ADMITTED
    assert not mail.outbox


def test_service_refuses_a_course_that_began(enrollment):
    later = enrollment.course.starts_at

    with pytest.raises(EnrollmentError):
        cancel_enrollment(enrollment=enrollment, actor=enrollment.user, now=later)


@pytest.mark.parametrize(
    ("contact", "recipient"),
    [("kurs@example.org", "kurs@example.org"), ("", "fortbildung@example.org")],
)
def test_short_notice_cancellation_tells_the_office(
    settings, employee, contact, recipient
):
    settings.PORTAL_TRAINING_OFFICE_EMAIL = "fortbildung@example.org"
    course = CourseFactory(contact_email=contact)
    enrollment = EnrollmentFactory(course=course, user=employee)
    inside = course.short_notice_starts_at + timedelta(minutes=1)

    cancel_enrollment(
        enrollment=enrollment, actor=employee, reason="Dienstreise", now=inside
    )

    office_mail = mail.outbox[-1]
    assert office_mail.to == [recipient]
    assert "Kurzfristige Stornierung" in office_mail.subject
    assert employee.login_id in office_mail.body
    assert "Dienstreise" in office_mail.body


def test_cancellation_before_the_notice_period_does_not_tell_the_office(enrollment):
    before = enrollment.course.short_notice_starts_at - timedelta(minutes=1)

    cancel_enrollment(enrollment=enrollment, actor=enrollment.user, now=before)

    assert [message.to for message in mail.outbox] == [[enrollment.user.email]]


def test_leaving_the_waiting_list_at_short_notice_tells_no_office(employee):
    course = CourseFactory(capacity=0)
    enrollment = WaitlistedFactory(course=course, user=employee)

    cancel_enrollment(
        enrollment=enrollment, actor=employee, now=course.short_notice_starts_at
    )

    assert [message.to for message in mail.outbox] == [[employee.email]]
    assert not mail.outbox[0].attachments


def test_freed_place_goes_to_the_first_on_the_waiting_list(enrollment):
    course = enrollment.course
    course.capacity = 1
    course.save()
    second = WaitlistedFactory(course=course, waitlist_position=2)
    first = WaitlistedFactory(course=course, waitlist_position=1)

    cancel_enrollment(enrollment=enrollment, actor=enrollment.user)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.waitlist_position) == (Status.ADMITTED, None)
    assert second.status == Status.WAITLISTED
    promoted_mail = mail.outbox[-1]
    assert promoted_mail.to == [first.user.email]
    assert "METHOD:PUBLISH" in promoted_mail.attachments[0][1]


def test_promotion_passes_over_accounts_that_no_longer_work(enrollment):
    course = enrollment.course
    course.capacity = 1
    course.save()
    WaitlistedFactory(course=course, waitlist_position=1, user__is_active=False)
    eligible = WaitlistedFactory(course=course, waitlist_position=2)

    cancel_enrollment(enrollment=enrollment, actor=enrollment.user)

    eligible.refresh_from_db()
    assert eligible.status == Status.ADMITTED


def test_leaving_the_waiting_list_moves_those_behind_up_without_a_place(employee):
    course = CourseFactory(capacity=0)
    leaving = WaitlistedFactory(course=course, user=employee, waitlist_position=1)
    behind = WaitlistedFactory(course=course, waitlist_position=2)

    cancel_enrollment(enrollment=leaving, actor=employee)

    ranked = Enrollment.objects.with_waitlist_rank().get(pk=behind.pk)
    assert (ranked.status, ranked.waitlist_rank) == (Status.WAITLISTED, 1)


def test_cancelling_future_enrolments_of_a_leaving_account(employee):
    future = EnrollmentFactory(user=employee)
    waiting = WaitlistedFactory(user=employee, course__capacity=0)
    past = EnrollmentFactory(
        user=employee, course__starts_at=timezone.now() - timedelta(days=3)
    )
    successor = WaitlistedFactory(course=future.course)
    officer = UserFactory(is_staff=True)

    count = cancel_future_enrollments(user=employee, actor=officer, notify=False)

    assert count == 2
    statuses = dict(Enrollment.objects.values_list("pk", "status"))
    assert statuses[future.pk] == statuses[waiting.pk] == Status.CANCELED
    assert statuses[past.pk] == Status.ADMITTED
    assert statuses[successor.pk] == Status.ADMITTED
    assert employee.email not in [address for m in mail.outbox for address in m.to]
