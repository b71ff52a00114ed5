"""The catalogue's lists, kept per process while no course changes.

A catalogue page used to ask the database four times: the places for the
search form, the career groups, the number of hits and the page of courses;
building and reading those queries cost more than the rest of the page.
None of it changes unless a course or a career group does. So each process
keeps what it read, found by the query string, under the catalogue revision
(CatalogueRevision), which database triggers raise in the same transaction
as every such write. A kept page costs one statement: the places taken of
its twenty courses (CoursePlaces), which change with every enrolment and
are always read afresh, together with the revision, which says whether the
kept page is still the catalogue's. The rendered results are kept as well,
under the reading and its places (course_fragments.catalogue_results).

Kept lists are never stale: a reader that sees a revision sees the data it
belongs to. A list also ends when the first upcoming course ends (it leaves
the hits, and maybe its place the form's list) and after ``KEEP_SECONDS`` at
most, a bound for writes made with the triggers switched off (some restores
and bulk loads). Nothing is kept while the database has no revision row.
"""

import copy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import Min, Subquery
from django.utils import timezone

from courses.forms import CourseSearchForm
from courses.models import CatalogueRevision, Course, CoursePlaces
from orgunits.models import CareerGroup
from portal.fragments import Kept

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


@dataclass(frozen=True)
class Choices:
    """The search form's lists: places of upcoming courses, career groups."""

    towns: tuple[str, ...]
    career_groups: tuple[tuple[int, str], ...]
    # When the first upcoming course ends (and may take its place along).
    until: datetime


@dataclass(frozen=True)
class Listing:
    """One page of hits, without the places taken."""

    count: int
    number: int
    courses: tuple[Course, ...]
    # Tells this reading from any other in the process, for the key of the
    # rendered results.
    serial: int = field(default_factory=lambda: next(_serials))


def _longest():
    return timezone.now() + timedelta(seconds=KEEP_SECONDS)


def _keep(store, key, value, *, until):
    """Keep a value until ``until``, and ``KEEP_SECONDS`` at most."""
    return store.put(key, value, until=min(until, _longest()))


_serials = itertools.count()
_choices = Kept(size=10)
# A kept page holds its form and twenty courses, some 50 KiB.
_listings = Kept(size=200)


def clear():
    """Forget everything kept (for tests, whose rollbacks reuse revisions)."""
    _choices.clear()
    _listings.clear()


_revision_row = CatalogueRevision.objects.filter(pk=1)
# Built once: resolving the subquery anew for each request cost as much as
# the rest of a kept page.
_places = CoursePlaces.objects.annotate(
    revision=Subquery(_revision_row.values("value"))
).values_list("course", "seated", "waiting", "revision")


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
        until=min((row["first_end"] for row in towns), default=_longest()),
    )
    if revision is None:
        # No revision row (an emptied database): nothing can be kept.
        return choices
    return _keep(_choices, revision, choices, until=choices.until)


def search(query, *, per_page):
    """Return (form, paginator, page, key) for the catalogue's query string.

    ``key`` names everything the results show (hits, places, the form), for
    courses.templatetags.course_fragments.catalogue_results; None when they
    are not to be kept.

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
            return form, *_page(listing, places, per_page), (listing.serial, places)
    else:
        current = CatalogueRevision.current()

    choices = search_choices(current)
    form = CourseSearchForm(query or None, choices=choices)
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
        return form, paginator, paginator.get_page(query.get("page")), None
    listing = _read_listing(courses, page=query.get("page"), per_page=per_page)
    # Whenever an upcoming course ends, it leaves the hits and may take its
    # place off the form's list.
    if current is not None:
        _keep(_listings, key, (current, form, listing), until=choices.until)
    places, _ = places_and_revision(listing.courses)
    return form, *_page(listing, places, per_page), (listing.serial, places)


def _page(listing, places, per_page):
    paginator = Paginator((), per_page)
    paginator.count = listing.count  # known; Paginator would count again
    return paginator, Page(
        CoursesWithPlaces(listing.courses, places), listing.number, paginator
    )


class CoursesWithPlaces(Sequence):
    """A page's courses with their places, copied when first looked at.

    Kept courses are shared by every request of the process, so each
    request sets the places on copies of its own; when the rendered results
    are kept as well, nobody looks, and nothing is copied.
    """

    def __init__(self, courses, places):
        self._courses, self._places = courses, places

    @cached_property
    def _shown(self):
        shown = []
        for course, (_, seated, waiting) in zip(
            self._courses, self._places, strict=True
        ):
            course = copy.copy(course)
            course.seats_taken, course.waitlist_length = seated, waiting
            shown.append(course)
        return shown

    def __getitem__(self, index):
        return self._shown[index]

    def __len__(self):
        return len(self._courses)


def _read_listing(courses, *, page, per_page):
    paginator = Paginator(courses, per_page)
    shown = paginator.get_page(page)
    return Listing(
        count=paginator.count, number=shown.number, courses=tuple(shown.object_list)
    )


def places_and_revision(courses):
    """Return the courses' places taken and waiting lists, and the revision.

    One statement: ((pk, seats taken, waiting), ...) in the courses' order
    and the revision it saw, from the courses' CoursePlaces; when none of
    them has its row (the triggers were switched off while the courses were
    written), the revision is read apart.
    """
    rows = list(_places.filter(course__in=[course.pk for course in courses]))
    found = {pk: (seated, waiting) for pk, seated, waiting, _ in rows}
    places = tuple((course.pk, *found.get(course.pk, (0, 0))) for course in courses)
    if not rows or rows[0][3] is None:
        return places, CatalogueRevision.current()
    return places, rows[0][3]
