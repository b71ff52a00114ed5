"""300 enrolments at once on a course with 20 places; print JSON.

    python -m bench.burst

Uses `courses.services.enroll` when the branch has it; otherwise
`stand_in_enroll` below, a minimal locking enrolment that only keeps the
benchmark runnable and is reported as such. Point `enroll_function` at the
real service (and adjust the call in `_enroll_one`) when it exists.
"""

import json
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from bench.environment import setup_django

PLACES = 20
APPLICANTS = 300
# The database serves other work too; 300 threads share this many
# connections, all of them contending for the same course at once.
CONNECTIONS = 24


def stand_in_enroll(*, user, course):
    """Seat the user or put them on the waiting list, under a row lock.

    A stand-in for `courses.services.enroll` while that does not exist on
    this branch; it is not the portal's enrolment rule.
    """
    from django.db import transaction
    from django.db.models import Max

    from courses.models import Course, Enrollment

    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        seated = course.enrollments.filter(
            status__in=Enrollment.SEATED_STATUSES
        ).count()
        if seated < course.capacity:
            status, position = Enrollment.Status.REGISTERED, None
        else:
            last = course.enrollments.filter(
                status=Enrollment.Status.WAITLISTED
            ).aggregate(last=Max("waitlist_position"))["last"]
            status, position = Enrollment.Status.WAITLISTED, (last or 0) + 1
        return Enrollment.objects.create(
            course=course,
            user=user,
            status=status,
            waitlist_position=position,
            org_unit_id=user.org_unit_id,
            career_group_id=user.career_group_id,
        )


def enroll_function():
    """Return the enrolment service and whether it is the stand-in."""
    try:
        from courses.services import enroll
    except ImportError:
        return stand_in_enroll, True
    return enroll, False


def burst():
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from bench.dataset import BENCH_LOGIN_ID
    from courses.models import Course, Enrollment

    enroll, is_stand_in = enroll_function()
    starts_at = timezone.now() + timedelta(weeks=12)
    course = Course.objects.create(
        number=f"BURST-{timezone.now():%Y%m%d%H%M%S}",
        title="Lastprobe: gleichzeitige Anmeldungen",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=7),
        capacity=PLACES,
        is_published=False,
    )
    users = list(
        get_user_model()
        .objects.filter(is_active=True, must_reset_password=False)
        .exclude(login_id=BENCH_LOGIN_ID)
        .order_by("-pk")[:APPLICANTS]
    )
    start = threading.Event()
    errors = Counter()

    def enroll_one(user):
        try:
            start.wait()
            enroll(user=user, course=course)
        except Exception as error:  # noqa: BLE001 - every failure is a finding
            errors[type(error).__name__] += 1
        finally:
            connection.close()

    # Every enrolment is queued before the first starts.
    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        futures = [pool.submit(enroll_one, user) for user in users]
        start.set()
        for future in futures:
            future.result()

    enrollments = Enrollment.objects.filter(course=course)
    seated = enrollments.filter(status__in=Enrollment.SEATED_STATUSES).count()
    positions = list(
        enrollments.filter(status=Enrollment.Status.WAITLISTED).values_list(
            "waitlist_position", flat=True
        )
    )
    result = {
        "applicants": len(users),
        "places": PLACES,
        "connections": CONNECTIONS,
        "seated": seated,
        "waitlisted": len(positions),
        "distinct_positions": len(set(positions)),
        "positions_are_1_to_n": sorted(positions) == list(range(1, len(positions) + 1)),
        "errors": dict(errors),
        "service": "stand-in (bench.burst.stand_in_enroll)"
        if is_stand_in
        else "courses.services.enroll",
    }
    result["ok"] = (
        seated == PLACES
        and len(positions) == APPLICANTS - PLACES
        and result["distinct_positions"] == len(positions)
        and not errors
    )
    enrollments.delete()
    course.delete()
    return result


def main():
    setup_django()
    json.dump(burst(), sys.stdout)


if __name__ == "__main__":
    main()
