"""The catalogue's lists, kept per process while no course changes.

A catalogue page used to ask the database four times: the places for the
search form, the career groups, the number of hits and the page of courses;
building and reading those queries cost more than the rest of the page.
None of it changes unless a course or a career group does. So each process
keeps what it read under the catalogue revision (CatalogueRevision), which
database triggers raise in the same transaction as every such write. A page
reads the revision, one small statement, and reuses what it kept under the
same revision; only the places taken, which change with every enrolment, are
counted afresh, for the twenty courses shown.

Kept lists are never stale: a reader that sees a revision sees the data it
belongs to. A list also ends when the first of its courses ends (that course
leaves the catalogue) and after ``KEEP_SECONDS`` at most, a bound for the one
way around the triggers: a database restored from a backup, whose revision
may repeat a number seen before.
"""

import copy
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q, Subquery
from django.utils import timezone

from courses.forms import CourseSearchForm
from courses.models import CatalogueRevision, Course, Enrollment
from orgunits.models import CareerGroup

KEEP_SECONDS = 60
# What a card shows (courses/partials/course_card.html) and no more.
CARD_FIELDS = (
    "number",
    "title",
    "starts_at",
    "ends_at",
    "format",
    "town",
    "canceled_at",
    "capacity",
)


class Kept:
    """A bounded per-process store whose entries end at a given time."""

    def __init__(self, size):
        self.size = size
        self._store = {}
        # gunicorn may run threads (GUNICORN_THREADS): one at a time evicts.
        self._lock = threading.Lock()

    def get(self, key):
        entry = self._store.get(key)
        if entry is None or entry[0] <= timezone.now():
            return None
        return entry[1]

    def put(self, key, value, *, until):
        until = min(until, _longest())
        with self._lock:
            if len(self._store) >= self.size:
                # The oldest entry goes first (dicts keep insertion order).
                del self._store[next(iter(self._store))]
            self._store[key] = (until, value)
        return value

    def clear(self):
        self._store.clear()


@dataclass(frozen=True)
class Choices:
    """The search form's lists: places of upcoming courses, career groups."""

    towns: tuple[str, ...]
    career_groups: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Listing:
    """One page of hits, without the places taken."""

    count: int
    number: int
    courses: tuple[Course, ...]
    until: datetime


def _longest():
    return timezone.now() + timedelta(seconds=KEEP_SECONDS)


_choices = Kept(size=10)
# A kept page holds its form and twenty courses, some 50 KiB.
_listings = Kept(size=300)


def clear():
    """Forget everything kept (for tests, whose rollbacks reuse revisions)."""
    _choices.clear()
    _listings.clear()


_revision_row = CatalogueRevision.objects.filter(pk=1)


def revision():
    return CatalogueRevision.current()


def search_choices(revision):
    """Return the form's lists as they are under the revision."""
    kept = _choices.get(revision)
    if kept is not None:
        return kept
    towns = (
        Course.objects.published()
        .upcoming()
        .order_by("town")
        .values("town")
        .annotate(first_end=Min("ends_at"))
    )
    career_groups = CareerGroup.objects.filter(is_active=True)
    choices = Choices(
        towns=tuple(row["town"] for row in towns if row["town"]),
        career_groups=tuple((group.pk, str(group)) for group in career_groups),
    )
    # A place leaves the list when its last course ends.
    until = min((row["first_end"] for row in towns), default=_longest())
    return _choices.put(revision, choices, until=until)


def search(query, *, per_page):
    """Return (form, paginator, page) for the catalogue's query string.

    What is kept is found by the query string as sent, so that a kept page
    needs neither the form's lists nor its validation; ``page`` in it is
    the page number as requested: one that is none or lies beyond the end
    gives the first or the last page. A kept page costs one statement: the
    places of its courses, read together with the revision that says
    whether the page is still the catalogue's.
    """
    key = (
        timezone.get_current_timezone_name(),
        tuple(sorted((name, tuple(values)) for name, values in query.lists())),
        per_page,
    )
    kept = _listings.get(key)
    if kept is not None:
        kept_revision, form, listing = kept
        places, current = places_and_revision(listing.courses)
        if current == kept_revision:
            return form, *_page(listing, places, per_page)
    else:
        current = revision()

    form = CourseSearchForm(query or None, choices=search_choices(current))
    filters = form.cleaned_data if form.is_valid() else {}
    courses = (
        Course.objects.published()
        .upcoming()
        .catalogue(**filters)
        .only(*CARD_FIELDS)
        .order_by("starts_at", "number")
    )
    if filters.get("free_only"):
        # Which courses have free places changes with every enrolment.
        paginator = Paginator(courses.with_seat_counts(), per_page)
        return form, paginator, paginator.get_page(query.get("page"))
    listing = _read_listing(courses, page=query.get("page"), per_page=per_page)
    _listings.put(key, (current, form, listing), until=listing.until)
    places, _ = places_and_revision(listing.courses)
    return form, *_page(listing, places, per_page)


def _page(listing, places, per_page):
    paginator = Paginator(Course.objects.none(), per_page)
    paginator.count = listing.count  # known; Paginator would count again
    shown = []
    for course in listing.courses:
        # Kept courses are shared by every request of the process.
        course = copy.copy(course)
        course.seats_taken, course.waitlist_length = places.get(course.pk, (0, 0))
        shown.append(course)
    return paginator, Page(shown, listing.number, paginator)


def _read_listing(courses, *, page, per_page):
    found = courses.aggregate(count=Count("pk"), first_end=Min("ends_at"))
    paginator = Paginator(courses, per_page)
    paginator.count = found["count"]
    shown = paginator.get_page(page)
    return Listing(
        count=found["count"],
        number=shown.number,
        courses=tuple(shown.object_list),
        # The list changes when the first of its courses ends and leaves it.
        until=found["first_end"] or _longest(),
    )


def places_and_revision(courses):
    """Return the courses' places taken and waiting lists, and the revision.

    One statement: {pk: (seats taken, waiting)} and the revision it saw;
    when no course shown has an enrolment, the revision is read apart.
    """
    rows = list(
        Enrollment.objects.filter(course__in=[course.pk for course in courses])
        .order_by()
        .values("course")
        .annotate(
            seated=Count("pk", filter=Q(status__in=Enrollment.SEATED_STATUSES)),
            waiting=Count("pk", filter=Q(status=Enrollment.Status.WAITLISTED)),
            revision=Subquery(_revision_row.values("value")),
        )
        .values_list("course", "seated", "waiting", "revision")
    )
    places = {pk: (seated, waiting) for pk, seated, waiting, _ in rows}
    if not rows or rows[0][3] is None:
        return places, revision()
    return places, rows[0][3]
