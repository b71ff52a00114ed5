"""The table of "Meine Bildungsmaßnahmen", kept per process and person.

Reading a person's forty enrolments with their courses and waiting-list
ranks into model instances, and rendering them, cost four times what the
rest of the page does. Yet the table rarely changes between two visits. So
each process keeps the rendered table per person, under a fingerprint that
PostgreSQL computes from every value the table shows: each enrolment's id,
status and waiting-list rank, and its course's number, title, dates, format,
town and venue. One statement returns the fingerprint; the rows are only
read and rendered when it differs from the kept one.

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
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

from courses.models import Enrollment
from portal.fragments import Kept

# A person's kept table: up to some 30 KiB for forty rows, most far less.
_tables = Kept(size=500)

# Every value a row of the table shows (courses/partials/enrollment_row.html,
# Enrollment.status_text, Enrollment.cancel_refusal), in a row literal that
# quotes what needs quoting, so that no two tables give the same text.
FINGERPRINT_SQL = """
SELECT encode(sha256(convert_to(string_agg(
    ROW(
        e.id, e.status,
        CASE WHEN e.status = %(waitlisted)s THEN (
            SELECT count(*) FROM courses_enrollment ahead
            WHERE ahead.course_id = e.course_id
              AND ahead.status = %(waitlisted)s
              AND ahead.waitlist_position <= e.waitlist_position
        ) END,
        c.id, c.number, c.title, c.starts_at, c.ends_at, c.format, c.town, c.venue
    )::text, ',' ORDER BY e.id
), 'UTF8')), 'hex')
FROM courses_enrollment e
JOIN courses_course c ON c.id = e.course_id
WHERE e.user_id = %(user)s
"""

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
        cursor.execute(
            FINGERPRINT_SQL,
            {"user": user.pk, "waitlisted": Enrollment.Status.WAITLISTED},
        )
        (value,) = cursor.fetchone()
    return value or EMPTY


def table(user, *, rows):
    """Return the rendered table of the person's enrolments.

    ``rows`` returns the person's enrolments with their courses; it is only
    called when nothing suitable is kept. The fingerprint is read first,
    so that a table kept under it is never older than it.
    """
    current = fingerprint(user)
    key = (get_language(), get_current_timezone_name(), get_script_prefix(), user.pk)
    if current is not None:
        kept = _tables.get(key)
        if kept is not None and kept[0] == current:
            return kept[1]

    now = timezone.now()
    enrollments = list(rows())
    # Upcoming courses first, soonest at the top; then the past ones, the
    # most recent first.
    upcoming = [e for e in enrollments if e.course.ends_at >= now]
    past = [e for e in reversed(enrollments) if e.course.ends_at < now]
    html = render_to_string(
        "courses/partials/my_enrollments_table.html",
        {"enrollments": upcoming + past},
    )
    if current is not None:
        _tables.put(key, (current, html), until=_changes_at(enrollments, now))
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
