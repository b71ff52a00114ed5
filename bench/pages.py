"""The pages the benchmark measures: one entry per page.

Each entry says how to build its request from the fixtures of the data set.
A page whose URL does not resolve on this branch is reported as "not
available" instead of being measured; adjust an entry when a view's name or
arguments change.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

ANONYMOUS = "anonymous"
# The bench user's session: 40 enrolments, one of them still cancellable.
BENCH_USER = "bench user"
# A different account and open course on every request, so that each
# request makes a new enrolment instead of repeating one.
ROTATING = "rotating"


@dataclass(frozen=True)
class Fixtures:
    login_id: str
    password: str
    search_term: str
    course: str
    cancel_enrollment: int | None
    open_course: str | None


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    path: object
    body: object = None
    session: str = ANONYMOUS
    expect: int = 200
    # Throughput this page must reach, as a share of the ceiling's.
    target_share: float | None = None
    # Concurrent connections; None takes the run's default.
    connections: int | None = None
    # Also measured on the 1% data set, to compare the speed at both sizes.
    compare_sizes: bool = False

    @property
    def is_ceiling(self):
        return self.name == CEILING


CEILING = "ceiling (no database)"

PAGES = [
    Page(CEILING, "GET", lambda fx: reverse("bench_ceiling")),
    Page("login page", "GET", lambda fx: reverse("accounts:login")),
    Page(
        "catalogue page 1",
        "GET",
        lambda fx: reverse("courses:course_list"),
        target_share=0.25,
    ),
    Page(
        "catalogue search",
        "GET",
        lambda fx: (
            reverse("courses:course_list") + "?" + urlencode({"q": fx.search_term})
        ),
        target_share=0.25,
        compare_sizes=True,
    ),
    Page(
        "course detail",
        "GET",
        lambda fx: reverse("courses:course_detail", kwargs={"number": fx.course}),
    ),
    Page(
        "Meine Bildungsmaßnahmen (40 rows)",
        "GET",
        lambda fx: reverse("courses:my_enrollments"),
        session=BENCH_USER,
        target_share=0.25,
    ),
    Page(
        "Stornieren confirmation",
        "GET",
        lambda fx: reverse(
            "courses:enrollment_cancel", kwargs={"pk": fx.cancel_enrollment}
        ),
        session=BENCH_USER,
    ),
    # One connection: this measures what a login costs, not the queue in
    # front of the workers, so that it compares with one raw Argon2 hash.
    Page(
        "login POST (Argon2)",
        "POST",
        lambda fx: reverse("accounts:login"),
        body=lambda fx: {"username": fx.login_id, "password": fx.password},
        expect=302,
        connections=1,
    ),
    Page(
        "enrolment POST",
        "POST",
        lambda fx: reverse("courses:enroll", kwargs={"number": fx.open_course}),
        body=lambda fx: {},
        session=ROTATING,
        expect=302,
    ),
]
