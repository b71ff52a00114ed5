"""The places of each course, counted by triggers on the enrolments.

An enrolment used to count the course's enrolments under the course's lock
(a statement of its own), and the catalogue counted the enrolments of the
twenty courses it shows. Now each course has a row with its places taken,
its waiting list and the last waiting-list position handed out, kept by
triggers in the transaction of every write to the enrolments: the admin,
services, ``QuerySet.update()``, SQL and COPY alike. A course gets its row
when it is inserted; existing courses get theirs counted here.

The statuses are written out as they are today (Enrollment.SEATED_STATUSES:
admitted, attended); ``tests/test_course_places.py`` compares the counts with
the enrolments after every kind of write. The last position handed out is
counted from the positions still held: a position given up before this
migration (its enrolment's position is cleared) may be handed out once more.
"""

import django.db.models.deletion
from django.db import migrations, models


SEATED = "NEW.status IN ('admitted', 'attended')"
WAITING = "NEW.status = 'waitlisted'"
# What an enrolment adds to its course's row; what it took away is the same
# with OLD, subtracted.
ADD = f"""
    INSERT INTO courses_courseplaces (course_id, seated, waiting, last_position)
    VALUES (NEW.course_id, CASE WHEN {SEATED} THEN 1 ELSE 0 END,
            CASE WHEN {WAITING} THEN 1 ELSE 0 END,
            coalesce(NEW.waitlist_position, 0))
    ON CONFLICT (course_id) DO UPDATE SET
        seated = courses_courseplaces.seated + excluded.seated,
        waiting = courses_courseplaces.waiting + excluded.waiting,
        {{last}}
"""
# Never below zero: counts left wrong by a load without the triggers must
# not make every later cancellation of the course fail on the check.
SUBTRACT = f"""
    UPDATE courses_courseplaces SET
        seated = {{greatest}}(seated - CASE WHEN {SEATED} THEN 1 ELSE 0 END, 0),
        waiting = {{greatest}}(waiting - CASE WHEN {WAITING} THEN 1 ELSE 0 END, 0)
    WHERE course_id = NEW.course_id
""".replace("NEW.", "OLD.")
NEW_COURSE = (
    "INSERT INTO courses_courseplaces (course_id) VALUES (NEW.id) "
    "ON CONFLICT (course_id) DO NOTHING"
)
# Only these columns change what the row counts.
COUNTED = "status, course_id, waitlist_position"

POSTGRESQL_ADD = ADD.format(
    last="last_position = greatest(courses_courseplaces.last_position, "
    "excluded.last_position)"
)
POSTGRESQL_SUBTRACT = SUBTRACT.format(greatest="greatest")
POSTGRESQL = [
    f"""
    CREATE FUNCTION courses_count_places() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN {POSTGRESQL_SUBTRACT}; END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN {POSTGRESQL_ADD}; END IF;
        RETURN NULL;
    END
    $$
    """,
    f"""
    CREATE FUNCTION courses_add_course_places() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        {NEW_COURSE};
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION courses_empty_course_places() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE courses_courseplaces SET seated = 0, waiting = 0;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER courses_enrollment_places AFTER INSERT OR DELETE "
    "ON courses_enrollment FOR EACH ROW EXECUTE FUNCTION courses_count_places()",
    f"CREATE TRIGGER courses_enrollment_places_update AFTER UPDATE OF {COUNTED} "
    "ON courses_enrollment FOR EACH ROW "
    "WHEN (OLD.status IS DISTINCT FROM NEW.status "
    "OR OLD.course_id IS DISTINCT FROM NEW.course_id "
    "OR OLD.waitlist_position IS DISTINCT FROM NEW.waitlist_position) "
    "EXECUTE FUNCTION courses_count_places()",
    "CREATE TRIGGER courses_enrollment_places_truncate AFTER TRUNCATE "
    "ON courses_enrollment FOR EACH STATEMENT "
    "EXECUTE FUNCTION courses_empty_course_places()",
    "CREATE TRIGGER courses_course_places AFTER INSERT ON courses_course "
    "FOR EACH ROW EXECUTE FUNCTION courses_add_course_places()",
    # Like the catalogue's (0008): also in sessions that replicate.
    *(
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}"
        for table, name in (
            ("courses_enrollment", "courses_enrollment_places"),
            ("courses_enrollment", "courses_enrollment_places_update"),
            ("courses_enrollment", "courses_enrollment_places_truncate"),
            ("courses_course", "courses_course_places"),
        )
    ),
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS courses_enrollment_places ON courses_enrollment",
    "DROP TRIGGER IF EXISTS courses_enrollment_places_update ON courses_enrollment",
    "DROP TRIGGER IF EXISTS courses_enrollment_places_truncate ON courses_enrollment",
    "DROP TRIGGER IF EXISTS courses_course_places ON courses_course",
    "DROP FUNCTION IF EXISTS courses_count_places()",
    "DROP FUNCTION IF EXISTS courses_add_course_places()",
    "DROP FUNCTION IF EXISTS courses_empty_course_places()",
]

# SQLite, the embedded database of a local run: row triggers, one per event.
SQLITE_ADD = ADD.format(
    last="last_position = max(courses_courseplaces.last_position, "
    "excluded.last_position)"
)
SQLITE_SUBTRACT = SUBTRACT.format(greatest="max")
SQLITE = [
    "CREATE TRIGGER courses_enrollment_places_insert AFTER INSERT "
    f"ON courses_enrollment BEGIN {SQLITE_ADD}; END",
    f"CREATE TRIGGER courses_enrollment_places_update AFTER UPDATE OF {COUNTED} "
    f"ON courses_enrollment BEGIN {SQLITE_SUBTRACT}; {SQLITE_ADD}; END",
    "CREATE TRIGGER courses_enrollment_places_delete AFTER DELETE "
    f"ON courses_enrollment BEGIN {SQLITE_SUBTRACT}; END",
    "CREATE TRIGGER courses_course_places AFTER INSERT ON courses_course "
    f"BEGIN {NEW_COURSE}; END",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "courses_enrollment_places_insert",
        "courses_enrollment_places_update",
        "courses_enrollment_places_delete",
        "courses_course_places",
    )
]

COUNT_EXISTING = """
INSERT INTO courses_courseplaces (course_id, seated, waiting, last_position)
SELECT course.id,
    (SELECT count(*) FROM courses_enrollment e WHERE e.course_id = course.id
        AND e.status IN ('admitted', 'attended')),
    (SELECT count(*) FROM courses_enrollment e WHERE e.course_id = course.id
        AND e.status = 'waitlisted'),
    coalesce((SELECT max(e.waitlist_position) FROM courses_enrollment e
        WHERE e.course_id = course.id), 0)
FROM courses_course course
"""


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    if vendor == "postgresql":
        # The running portal may be writing while this migrates (a release
        # migrates first): wait for its open transactions, and hold its new
        # writes until the triggers are in place, so that no enrolment or
        # course falls between the count and the triggers. Reading goes on.
        schema_editor.execute(
            "LOCK TABLE courses_course, courses_enrollment "
            "IN SHARE ROW EXCLUSIVE MODE"
        )
    schema_editor.execute(COUNT_EXISTING)
    for statement in POSTGRESQL if vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    for statement in POSTGRESQL_DROP if vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0008_catalogue_revision_before_statement"),
    ]

    operations = [
        migrations.CreateModel(
            name="CoursePlaces",
            fields=[
                (
                    "course",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="places",
                        serialize=False,
                        to="courses.course",
                        verbose_name="course",
                    ),
                ),
                (
                    "seated",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="places taken"
                    ),
                ),
                (
                    "waiting",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="waiting list"
                    ),
                ),
                (
                    "last_position",
                    models.PositiveIntegerField(
                        db_default=0,
                        default=0,
                        verbose_name="last waiting-list position",
                    ),
                ),
            ],
            options={
                "verbose_name": "places of a course",
                "verbose_name_plural": "places of courses",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
