"""The table of "Meine Bildungsmaßnahmen", kept per process and person.

Reading a person's forty enrolments with their courses and waiting-list
ranks into model instances, and rendering them, cost four times what the
rest of the page does. Yet the table rarely changes between two visits. So
each process keeps the rendered table per person, under a fingerprint that
PostgreSQL computes from every value the table shows: each enrolment's id,
status, registration time and waiting-list rank, and its course's number,
title, dates, format, town and venue. One statement returns the fingerprint;
the rows are only read and rendered when it differs from the kept one, and
are then kept under the fingerprint computed in the statement that read
them.

The fingerprint is the data itself, not a counter raised by triggers or
signals, so no write can slip past it, whichever way it is made, and the
rank of a person on a waiting list changes it when somebody ahead leaves.
What else the table shows depends on the time only: whether a course has
begun (no more "Stornieren") and whether it has ended (it moves to the
past ones). A kept table ends at the first such moment.

SQLite, the embedded database of a local run, lacks the hash and ordered
aggregation used here: there the table is rendered on every request.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models.expressions import RawSQL
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

from courses.models import Enrollment
from portal.fragments import Kept

# A person's kept table: up to some 30 KiB for forty rows, most far less.
_tables = Kept(size=500)


def _row_text(enrollment, course):
    """SQL: every value a row of the table shows, as one text.

    That is what courses/partials/enrollment_row.html, Enrollment.status_text
    and Enrollment.cancel_refusal show, and the registration time, by which
    rows of the same start are ordered; as a row literal, which quotes what
    needs quoting, so that no two tables give the same text. Two parameters:
    the status of those waiting, twice.
    """
    e, c = enrollment, course
    # Only table names of this module go into the SQL; values are parameters.
    return f"""ROW(
        {e}.id, {e}.status, {e}.created_at,
        CASE WHEN {e}.status = %s THEN (
            SELECT count(*) FROM courses_enrollment ahead
            WHERE ahead.course_id = {e}.course_id
              AND ahead.status = %s
              AND ahead.waitlist_position <= {e}.waitlist_position
        ) END,
        {c}.id, {c}.number, {c}.title, {c}.starts_at, {c}.ends_at, {c}.format,
        {c}.town, {c}.venue
    )::text"""  # noqa: S608


def _hashed(texts):
    return f"encode(sha256(convert_to({texts}, 'UTF8')), 'hex')"


# The fingerprint of a person's table: the rows' texts in the order of their
# ids, hashed. Parameters: the waiting status twice, the person's id.
FINGERPRINT_SQL = f"""
SELECT {_hashed(f"string_agg({_row_text('e', 'c')}, ',' ORDER BY e.id)")}
FROM courses_enrollment e
JOIN courses_course c ON c.id = e.course_id
WHERE e.user_id = %s
"""  # noqa: S608 - names of this module only
# The same fingerprint on each row of the table's own query, so that a
# table is kept under the fingerprint of exactly the rows it shows: read in
# a statement of its own, a write between the two could leave a table kept
# under a fingerprint its data would meet again after the write was undone.
ROWS_FINGERPRINT_SQL = _hashed(
    f"string_agg({_row_text('courses_enrollment', 'courses_course')}, ',') "
    "OVER (ORDER BY courses_enrollment.id "
    "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
)
_WAITING = (Enrollment.Status.WAITLISTED, Enrollment.Status.WAITLISTED)

# Returned for a person without enrolments, whose table is the hint to
# browse the catalogue.
EMPTY = "empty"


def clear():
    """Forget every kept table (for tests)."""
    _tables.clear()


def fingerprint(user):
    """Return the fingerprint of the person's table, or None if not kept."""
    if connection.vendor != "postgresql" or settings.DEBUG:
        return None
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL, (*_WAITING, user.pk))
        (value,) = cursor.fetchone()
    return value or EMPTY


def table(user, *, rows):
    """Return the rendered table of the person's enrolments.

    ``rows`` returns a queryset of the person's enrolments with their
    courses; it is only read when nothing suitable is kept, and then with
    the fingerprint of the rows it reads.
    """
    current = fingerprint(user)
    key = (get_language(), get_current_timezone_name(), get_script_prefix(), user.pk)
    if current is not None:
        kept = _tables.get(key)
        if kept is not None and kept[0] == current:
            return kept[1]

    now = timezone.now()
    queryset = rows()
    if current is not None:
        queryset = queryset.annotate(
            table_fingerprint=RawSQL(ROWS_FINGERPRINT_SQL, _WAITING)  # noqa: S611
        )
    enrollments = list(queryset)
    # Upcoming courses first, soonest at the top; then the past ones, the
    # most recent first.
    upcoming = [e for e in enrollments if e.course.ends_at >= now]
    past = [e for e in reversed(enrollments) if e.course.ends_at < now]
    html = render_to_string(
        "courses/partials/my_enrollments_table.html",
        {"enrollments": upcoming + past},
    )
    if current is not None:
        shown = enrollments[0].table_fingerprint if enrollments else EMPTY
        _tables.put(key, (shown, html), until=_changes_at(enrollments, now))
    return html


def _changes_at(enrollments, now):
    """When the table next changes by the time alone, or None if never.

    A course that begins loses its "Stornieren" (``Course.has_started``);
    one whose end has passed moves down among the past ones.
    """
    moments = [
        moment
        for enrollment in enrollments
        for moment in (
            enrollment.course.starts_at,
            enrollment.course.ends_at + timedelta(microseconds=1),
        )
        if moment > now
    ]
    return min(moments, default=None)
