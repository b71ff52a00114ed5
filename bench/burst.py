"""300 enrolments at once on a course with 20 places; print JSON.

    python -m bench.burst

Every enrolment goes through `courses.services.enroll`, the same service
the enrolment page calls: it locks the course row, so the first 20 get a
place ("admitted" on a first-come course) and the others a waiting-list
position each, in the order the lock hands them through.
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


def burst():
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from bench.dataset import BENCH_LOGIN_ID
    from courses.models import Course, Enrollment
    from courses.services import enroll

    starts_at = timezone.now() + timedelta(weeks=12)
    course = Course.objects.create(
        number=f"BURST-{timezone.now():%Y%m%d%H%M%S}",
        title="Lastprobe: gleichzeitige Anmeldungen",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=7),
        capacity=PLACES,
        selection_mode=Course.SelectionMode.FIRST_COME,
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
    admitted = enrollments.filter(status=Enrollment.Status.ADMITTED).count()
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
        "admitted": admitted,
        "waitlisted": len(positions),
        "distinct_positions": len(set(positions)),
        "positions_are_1_to_n": sorted(positions) == list(range(1, len(positions) + 1)),
        "errors": dict(errors),
        "service": "courses.services.enroll",
    }
    result["ok"] = (
        seated == admitted == PLACES
        and len(positions) == APPLICANTS - PLACES
        and result["distinct_positions"] == len(positions)
        and not errors
    )
    # The burst course is published for a moment only: it is gone before
    # anything else is measured.
    enrollments.delete()
    course.delete()
    return result


def main():
    setup_django()
    json.dump(burst(), sys.stdout)


if __name__ == "__main__":
    main()
