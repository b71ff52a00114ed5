"""Business rules about enrolments, called by views, admin and commands.

Every change to the places of a course runs in one transaction that first
locks the course row. Enrolments, cancellations, capacity changes and
promotions of one course therefore happen one after the other, so that
concurrent requests never fill more places than there are and never promote
the same person twice.
"""

import logging
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.mail import absolute_url, queue_mail
from courses.calendar import enrollment_ics
from courses.models import Course, Enrollment

logger = logging.getLogger(__name__)

Status = Enrollment.Status


class EnrollmentError(Exception):
    """A rule refuses the change; the message is meant for the person."""


def _lock_course(course):
    return Course.objects.select_for_update().get(pk=course.pk)


def _mail_context(enrollment, **extra):
    course = enrollment.course
    return {
        "enrollment": enrollment,
        "course": course,
        "course_url": absolute_url(course.get_absolute_url()),
        "my_enrollments_url": absolute_url(reverse("courses:my_enrollments")),
        **extra,
    }


def _mail_participant(enrollment, template, *, attachments=(), **extra):
    # Anonymised accounts keep their enrolments but have no address left.
    if not enrollment.user.email:
        return
    queue_mail(
        to=[enrollment.user.email],
        template=template,
        context=_mail_context(enrollment, calendar_attached=bool(attachments), **extra),
        attachments=attachments,
    )


def _is_eligible(user, course):
    return user.is_active and user.anonymised_at is None and course.is_open_to(user)


def _lock_course_for(courses, user):
    """Lock the one course of ``courses`` with its places; note its rules.

    One statement finds the course, locks its row and that of its places
    (CoursePlaces, in this order, as a cancellation takes them), and answers
    the career-group question that ``Course.is_open_to`` would ask in a
    second one and whether the user is registered already. The places are
    read as the transaction that held the lock before left them; the other
    answers are a snapshot from before waiting for the lock, which is why the
    database also refuses a second active enrolment of the same person
    (enrollment_one_active_per_user_and_course). Raise Course.DoesNotExist
    when there is no such course.
    """
    targets = Course.target_career_groups.through.objects.filter(course=OuterRef("pk"))
    course = (
        # An inner join: PostgreSQL locks no row on the outer side of one.
        courses.filter(places__isnull=False)
        .select_related("places")
        .select_for_update(of=("self", "places"))
        .annotate(
            has_target_groups=Exists(targets),
            targets_user_group=Exists(
                targets.filter(careergroup_id=user.career_group_id)
            ),
            registered_before=Exists(
                Enrollment.objects.filter(
                    course=OuterRef("pk"),
                    user=user,
                    status__in=Enrollment.ACTIVE_STATUSES,
                )
            ),
        )
        .get()
    )
    course.takes_user = not course.has_target_groups or course.targets_user_group
    return course


def _end_enrollment(enrollment, status, *, actor, reason, now):
    """Give up the enrolment's place or position; the record stays."""
    enrollment.status = status
    enrollment.waitlist_position = None
    enrollment.canceled_at = now
    enrollment.canceled_by = actor
    enrollment.cancel_reason = reason
    enrollment.save(
        update_fields=[
            "status",
            "waitlist_position",
            "canceled_at",
            "canceled_by",
            "cancel_reason",
        ]
    )


def enroll(*, user, course=None, number=None, now=None):
    """Register the user for the course: a place, an application or a queue.

    The course is given as an object or, from the enrolment page, by its
    number among the published courses (Course.DoesNotExist when there is
    none). First come, first served courses give a place while one is free
    and a waiting-list position afterwards; courses whose participants the
    Fortbildungsreferat chooses take an application ("registered").
    """
    try:
        return _enroll(user=user, course=course, number=number, now=now)
    except IntegrityError as error:
        # Two requests of the same person at once: the second waited for the
        # course's lock with a snapshot from before the first had committed.
        if not _is_second_active_enrollment(error):
            raise
        raise EnrollmentError(
            _("You are already registered for this course.")
        ) from None


def _is_second_active_enrollment(error):
    # PostgreSQL names the constraint; SQLite names its columns.
    message = str(error)
    return (
        "enrollment_one_active_per_user_and_course" in message
        or "courses_enrollment.course_id, courses_enrollment.user_id" in message
    )


@transaction.atomic
def _enroll(*, user, course, number, now):
    now = now or timezone.now()
    if course is not None:
        courses = Course.objects.filter(pk=course.pk)
    else:
        courses = Course.objects.published().filter(number=number)
    course = _lock_course_for(courses, user)

    if not course.is_registration_open(now=now):
        raise EnrollmentError(_("Registration for this course is not open."))
    if not course.takes_user:
        raise EnrollmentError(_("This course is not open to your career group."))
    if course.registered_before:
        raise EnrollmentError(_("You are already registered for this course."))
    places = course.places

    enrollment = Enrollment(
        course=course,
        user=user,
        org_unit_id=user.org_unit_id,
        career_group_id=user.career_group_id,
        created_at=now,
    )
    rank = None
    if course.is_chosen_by_office:
        enrollment.status = Status.REGISTERED
    elif places.seated < course.capacity:
        enrollment.status = Status.ADMITTED
    else:
        enrollment.status = Status.WAITLISTED
        enrollment.waitlist_position = places.last_position + 1
        # Everyone waiting holds a lower position: the newcomer is last.
        rank = places.waiting + 1
    enrollment.save()

    attachments = [enrollment_ics(enrollment)] if enrollment.is_seated else []
    _mail_participant(
        enrollment, "courses/mail/enrolled", attachments=attachments, rank=rank
    )
    record(
        actor=user,
        action="enrollment.created",
        target=enrollment,
        status=enrollment.status,
    )
    logger.info(
        "Enrollment created",
        extra={"enrollment_id": enrollment.pk, "course_id": course.pk},
    )
    return enrollment


@transaction.atomic
def cancel_enrollment(*, enrollment, actor, reason="", notify=True, now=None):
    """Cancel an enrolment; return whether anything changed.

    The record stays with status "cancelled", time, actor and reason. The
    person gets a confirmation with a cancelling calendar file unless
    ``notify`` is off; a freed place goes to the waiting list; a place given
    up within the notice period is reported to the Fortbildungsreferat. An
    enrolment that is no longer active is left alone, so a repeated request
    changes and sends nothing.
    """
    now = now or timezone.now()
    course = _lock_course(enrollment.course)
    # The enrolment's row only: locking the account's too made a person's
    # own cancellation deadlock with the anonymisation of the account, which
    # holds the account and cancels course after course.
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=enrollment.pk)
    )
    enrollment.course = course

    if not enrollment.is_active:
        return False
    if course.has_started(now=now):
        raise EnrollmentError(_("The course has begun; it can no longer be cancelled."))

    previous_status = enrollment.status
    is_short_notice = enrollment.is_short_notice_cancellation(now=now)
    _end_enrollment(enrollment, Status.CANCELED, actor=actor, reason=reason, now=now)

    if notify:
        attachments = (
            [enrollment_ics(enrollment, canceled=True)]
            if previous_status in Enrollment.SEATED_STATUSES
            else []
        )
        _mail_participant(enrollment, "courses/mail/canceled", attachments=attachments)
    if is_short_notice:
        queue_mail(
            to=[course.contact_email or settings.PORTAL_TRAINING_OFFICE_EMAIL],
            template="courses/mail/short_notice",
            context=_mail_context(
                enrollment,
                previous_status=Status(previous_status).label,
                admin_url=absolute_url(
                    reverse("admin:courses_course_change", args=[course.pk])
                ),
            ),
        )
    record(
        actor=actor,
        action="enrollment.canceled",
        target=enrollment,
        previous_status=previous_status,
        short_notice=is_short_notice,
    )
    logger.info(
        "Enrollment cancelled",
        extra={"enrollment_id": enrollment.pk, "short_notice": is_short_notice},
    )

    if previous_status in Enrollment.SEATED_STATUSES:
        promote_waitlist(course=course, actor=actor, now=now)
    return True


@transaction.atomic
def cancel_future_enrollments(*, user, actor, reason="", notify=True, now=None):
    """Cancel every active enrolment of the user in a course not yet begun.

    Meant for an account that leaves, e.g. before its anonymisation; the
    waiting lists move up as on any cancellation. Return how many changed.
    """
    now = now or timezone.now()
    enrollments = Enrollment.objects.active().filter(
        user=user, course__starts_at__gt=now
    )
    return sum(
        cancel_enrollment(
            enrollment=enrollment, actor=actor, reason=reason, notify=notify, now=now
        )
        for enrollment in enrollments.select_related("course")
    )


@transaction.atomic
def promote_waitlist(*, course, actor=None, now=None):
    """Give free places to the waiting list in its order; return who moved up.

    People whose account no longer works or whose career group the course
    no longer takes are passed over and keep their position.
    """
    now = now or timezone.now()
    course = _lock_course(course)
    if course.is_canceled or course.has_started(now=now):
        return []

    free = course.capacity - course.count_seats_taken()
    promoted = []
    for candidate in course.enrollments.waitlisted().select_related("user"):
        if free <= 0:
            break
        if not _is_eligible(candidate.user, course):
            continue
        candidate.course = course
        candidate.status = Status.ADMITTED
        candidate.waitlist_position = None
        candidate.save(update_fields=["status", "waitlist_position"])
        _mail_participant(
            candidate,
            "courses/mail/promoted",
            attachments=[enrollment_ics(candidate)],
        )
        record(actor=actor, action="enrollment.promoted", target=candidate)
        promoted.append(candidate)
        free -= 1

    if promoted:
        logger.info(
            "Waiting list moved up",
            extra={"course_id": course.pk, "promoted": len(promoted)},
        )
    return promoted


@transaction.atomic
def change_capacity(*, course, capacity, actor, now=None):
    """Set the number of places; a larger number moves the waiting list up.

    A smaller number takes no one's place away; it only stops promotions
    until enough people have cancelled.
    """
    course = _lock_course(course)
    previous = course.capacity
    if capacity != previous:
        course.capacity = capacity
        course.save(update_fields=["capacity"])
        record(
            actor=actor,
            action="course.capacity_changed",
            target=course,
            previous=previous,
            capacity=capacity,
        )
    return promote_waitlist(course=course, actor=actor, now=now)


@transaction.atomic
def cancel_course(*, course, actor, reason="", now=None):
    """Call a course off; everyone registered is told. Return how many."""
    now = now or timezone.now()
    course = _lock_course(course)
    if course.is_canceled:
        return 0

    course.canceled_at = now
    course.save(update_fields=["canceled_at"])
    affected = list(course.enrollments.active().select_related("user"))
    for enrollment in affected:
        held_place = enrollment.is_seated
        enrollment.course = course
        _end_enrollment(
            enrollment, Status.COURSE_CANCELED, actor=actor, reason=reason, now=now
        )
        attachments = [enrollment_ics(enrollment, canceled=True)] if held_place else []
        _mail_participant(
            enrollment,
            "courses/mail/course_canceled",
            attachments=attachments,
            reason=reason,
        )

    record(actor=actor, action="course.canceled", target=course, told=len(affected))
    logger.info(
        "Course cancelled", extra={"course_id": course.pk, "told": len(affected)}
    )
    return len(affected)


def _by_course(enrollments):
    grouped = defaultdict(list)
    for enrollment in enrollments:
        grouped[enrollment.course_id].append(enrollment.pk)
    return grouped


@transaction.atomic
def admit_applicants(*, enrollments, actor, now=None):
    """Admit applications to courses the Fortbildungsreferat chooses for.

    Only after the registration deadline and only as far as places are
    free. Return (admitted, refused for lack of places).
    """
    now = now or timezone.now()
    admitted, refused = [], []
    for course_id, pks in _by_course(enrollments).items():
        course = _lock_course(Course(pk=course_id))
        if course.is_registration_open(now=now) or course.has_started(now=now):
            raise EnrollmentError(
                _(
                    "Applicants are chosen after the registration deadline and "
                    "before the course begins."
                )
            )
        free = course.capacity - course.count_seats_taken()
        applications = (
            course.enrollments.filter(pk__in=pks, status=Status.REGISTERED)
            .select_related("user")
            .order_by("created_at")
        )
        for enrollment in applications:
            if free <= 0:
                refused.append(enrollment)
                continue
            enrollment.course = course
            enrollment.status = Status.ADMITTED
            enrollment.save(update_fields=["status"])
            _mail_participant(
                enrollment,
                "courses/mail/admitted",
                attachments=[enrollment_ics(enrollment)],
            )
            record(actor=actor, action="enrollment.admitted", target=enrollment)
            admitted.append(enrollment)
            free -= 1
    logger.info("Applicants admitted", extra={"admitted": len(admitted)})
    return admitted, refused


@transaction.atomic
def reject_applicants(*, enrollments, actor):
    """Turn down open applications; each applicant is told. Return them."""
    rejected = []
    for course_id, pks in _by_course(enrollments).items():
        course = _lock_course(Course(pk=course_id))
        applications = course.enrollments.filter(
            pk__in=pks, status=Status.REGISTERED
        ).select_related("user")
        for enrollment in applications:
            enrollment.course = course
            enrollment.status = Status.REJECTED
            enrollment.save(update_fields=["status"])
            _mail_participant(enrollment, "courses/mail/rejected")
            record(actor=actor, action="enrollment.rejected", target=enrollment)
            rejected.append(enrollment)
    logger.info("Applicants rejected", extra={"rejected": len(rejected)})
    return rejected


@transaction.atomic
def mark_attended(*, enrollments, actor, now=None):
    """Record attendance of admitted participants of a begun course.

    Return how many changed.
    """
    now = now or timezone.now()
    changed = 0
    for course_id, pks in _by_course(enrollments).items():
        course = _lock_course(Course(pk=course_id))
        if not course.has_started(now=now):
            raise EnrollmentError(
                _("Attendance can be recorded once the course has begun.")
            )
        participants = course.enrollments.filter(pk__in=pks, status=Status.ADMITTED)
        for enrollment in participants:
            enrollment.status = Status.ATTENDED
            enrollment.save(update_fields=["status"])
            record(actor=actor, action="enrollment.attended", target=enrollment)
            changed += 1
    logger.info("Attendance recorded", extra={"attended": changed})
    return changed
