"""Inspect a bench database in-process; print JSON for the driver.

    python -m bench.probe [--argon2]

Removes what earlier runs added, builds each page's requests from the data
set, counts the queries of each page through the whole middleware chain,
and (with --argon2) times the raw password hash at the configured cost.
"""

import argparse
import dataclasses
import json
import statistics
import sys
import time
from urllib.parse import urlencode

from bench.environment import HOST, setup_django

ROTATING_ACCOUNTS = 200
ROTATING_COURSES = 25
HASH_ROUNDS = 10
# OWASP's minimum Argon2id memory (KiB) for a given number of passes.
OWASP_ARGON2_MEMORY_KIB = {1: 47104, 2: 19456, 3: 12288, 4: 9216, 5: 7168}


def reset_mutations(last_enrollment_id):
    """Remove the enrolments, sessions, lockout and mail rows of past runs."""
    from django.apps import apps

    from courses.models import Course, Enrollment

    Enrollment.objects.filter(pk__gt=last_enrollment_id).delete()
    Course.objects.filter(number__startswith="BURST-").delete()
    for label in (
        "accounts.Session",
        "axes.AccessAttempt",
        "axes.AccessLog",
        "axes.AccessFailureLog",
        "accounts.OutgoingMail",
        "accounts.AuditEntry",
        "django_tasks_database.DBTaskResult",
    ):
        apps.get_model(label).objects.all().delete()
    _vacuum()


def _vacuum():
    """Clear the dead rows the removal left, as autovacuum would in time.

    Every run updates the places of the courses it enrols in and deletes
    what it added; measured at once, the next run would walk dead rows that
    a running database does not keep.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM (ANALYZE) courses_enrollment, courses_courseplaces, "
            "courses_course, portal_session"
        )


def fixtures():
    """Return the data the page table needs, read from the data set."""
    from django.db.models import Count
    from django.utils import timezone

    from bench.dataset import BENCH_LOGIN_ID, BENCH_PASSWORD, SEARCH_TERM
    from bench.pages import Fixtures
    from courses.models import Course, Enrollment

    now = timezone.now()
    upcoming = Course.objects.published().upcoming().filter(canceled_at=None)
    busiest = (
        upcoming.annotate(applications=Count("enrollments"))
        .order_by("-applications", "number")
        .first()
    )
    cancellable = (
        Enrollment.objects.filter(
            user__login_id=BENCH_LOGIN_ID,
            status__in=Enrollment.ACTIVE_STATUSES,
            course__starts_at__gt=now,
        )
        .order_by("course__starts_at")
        .first()
    )
    open_courses = _open_courses()
    return Fixtures(
        login_id=BENCH_LOGIN_ID,
        password=BENCH_PASSWORD,
        search_term=SEARCH_TERM,
        course=busiest.number,
        cancel_enrollment=cancellable.pk if cancellable else None,
        open_course=open_courses[0] if open_courses else None,
    )


def _open_courses():
    from django.utils import timezone

    from courses.models import Course

    now = timezone.now()
    return list(
        Course.objects.published()
        .filter(canceled_at=None, registration_closes_at__gt=now, starts_at__gt=now)
        .filter(target_career_groups=None)
        .order_by("starts_at", "number")
        .values_list("number", flat=True)[:ROTATING_COURSES]
    )


def client():
    from django.test import Client

    return Client(HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")


def logged_in_client(user):
    """Return a client with a session as the login page leaves it.

    force_login skips the middleware that stamps a session's start and its
    last renewal at login; without them the first request would renew it.
    """
    from portal.middleware import SESSION_RENEWED_KEY, SESSION_STARTED_KEY

    browser = client()
    browser.force_login(user, backend="accounts.backends.LoginIdBackend")
    session = browser.session
    session[SESSION_STARTED_KEY] = session[SESSION_RENEWED_KEY] = time.time()
    session.save()
    return browser


def rotating_participants(base):
    """Return (fixtures, session key) pairs: each a new account and course."""
    from django.contrib.auth import get_user_model

    from bench.dataset import BENCH_LOGIN_ID
    from courses.models import Course, Enrollment

    courses = _open_courses()
    users = list(
        get_user_model()
        .objects.filter(is_active=True, must_reset_password=False)
        .exclude(login_id=BENCH_LOGIN_ID)
        .order_by("pk")[:ROTATING_ACCOUNTS]
    )
    taken = set(
        Enrollment.objects.filter(
            user__in=users,
            course__in=Course.objects.filter(number__in=courses),
            status__in=Enrollment.ACTIVE_STATUSES,
        ).values_list("user_id", "course__number")
    )
    sessions = {user.pk: logged_in_client(user).session.session_key for user in users}
    return [
        (dataclasses.replace(base, open_course=course), sessions[user.pk])
        for course in courses
        for user in users
        if (user.pk, course) not in taken
    ]


def page_requests(page, base, bench_session):
    """Return the page's requests as dicts; raise NoReverseMatch if absent."""
    from bench.pages import BENCH_USER, ROTATING

    if page.session == ROTATING:
        page.path(base)  # fail early, before sessions are made
        variants = rotating_participants(base)
    else:
        session = bench_session if page.session == BENCH_USER else None
        variants = [(base, session)]
    return [
        {
            "path": page.path(fx),
            "body": urlencode(page.body(fx)) if page.body else "",
            "session": session or "",
        }
        for fx, session in variants
    ]


def count_queries(page, warm_up, request):
    """Return the queries and status of a request after a warm-up request.

    Each request comes from a fresh client, so that a login POST is not
    answered as a visit of someone already logged in.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _send(page, warm_up)
    with CaptureQueriesContext(connection) as queries:
        response = _send(page, request)
    return len(queries), response.status_code


def _send(page, request):
    from django.conf import settings

    browser = client()
    if request["session"]:
        browser.cookies[settings.SESSION_COOKIE_NAME] = request["session"]
    if page.method == "POST":
        return browser.post(
            request["path"],
            data=request["body"],
            content_type="application/x-www-form-urlencoded",
        )
    return browser.get(request["path"])


def argon2_cost():
    """Time the configured hasher verifying one password, as a login does."""
    from django.contrib.auth.hashers import get_hasher

    from bench.dataset import BENCH_PASSWORD

    hasher = get_hasher()
    encoded = hasher.encode(BENCH_PASSWORD, hasher.salt())
    seconds = []
    for _ in range(HASH_ROUNDS):
        started_at = time.perf_counter()
        hasher.verify(BENCH_PASSWORD, encoded)
        seconds.append(time.perf_counter() - started_at)
    time_cost = getattr(hasher, "time_cost", 0)
    memory_cost = getattr(hasher, "memory_cost", 0)
    minimum = OWASP_ARGON2_MEMORY_KIB.get(min(time_cost, 5))
    return {
        "algorithm": hasher.algorithm,
        "time_cost": time_cost,
        "memory_cost_kib": memory_cost,
        "parallelism": getattr(hasher, "parallelism", 0),
        "verify_ms": statistics.median(seconds) * 1000,
        "owasp_minimum_met": bool(
            hasher.algorithm == "argon2" and minimum and memory_cost >= minimum
        ),
    }


def probe(*, last_enrollment_id, with_argon2):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.urls import NoReverseMatch

    from bench.dataset import BENCH_LOGIN_ID
    from bench.pages import PAGES

    reset_mutations(last_enrollment_id)
    base = fixtures()
    bench_user = get_user_model().objects.get(login_id=BENCH_LOGIN_ID)
    bench_session = logged_in_client(bench_user).session.session_key

    pages = []
    for page in PAGES:
        entry = {
            "name": page.name,
            "method": page.method,
            "expect": page.expect,
            "target_share": page.target_share,
            "connections": page.connections,
            "compare_sizes": page.compare_sizes,
            "ceiling": page.is_ceiling,
        }
        try:
            requests = page_requests(page, base, bench_session)
        except (NoReverseMatch, TypeError) as error:
            pages.append({**entry, "available": False, "reason": str(error)[:120]})
            continue
        # A rotating POST changes data: count with the last two requests,
        # leave the others unused for the load run.
        queries, status = count_queries(
            page, requests[-min(2, len(requests))], requests[-1]
        )
        if len(requests) > 2:
            requests = requests[:-2]
        pages.append(
            {
                **entry,
                "available": True,
                "queries": queries,
                "probe_status": status,
                "requests": requests,
            }
        )
    result = {
        "pages": pages,
        "fixtures": dataclasses.asdict(base),
        "cookies": {
            "session": settings.SESSION_COOKIE_NAME,
            "csrf": settings.CSRF_COOKIE_NAME,
        },
    }
    if with_argon2:
        result["argon2"] = argon2_cost()
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--argon2", action="store_true")
    parser.add_argument(
        "--argon2-only",
        action="store_true",
        help="only time the raw hash, e.g. right after the login's load run",
    )
    parser.add_argument("--last-enrollment-id", type=int)
    args = parser.parse_args(argv)
    setup_django()
    if args.argon2_only:
        json.dump(argon2_cost(), sys.stdout)
        return
    if args.last_enrollment_id is None:
        parser.error("--last-enrollment-id is required")
    result = probe(last_enrollment_id=args.last_enrollment_id, with_argon2=args.argon2)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
