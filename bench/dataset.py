"""The generated data set of the benchmark: a state administration's size.

The same seed gives the same accounts, courses and enrolments. Rows go in
with COPY on PostgreSQL and with `bulk_create` in batches elsewhere, so the
full set (60,000 accounts, 6,000 courses, 400,000 enrolments) takes minutes,
not hours.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from bench.environment import SEED
from bench.progress import Progress
from courses.models import Course, Enrollment
from orgunits.models import CareerGroup, Ministry, OrgUnit, ServiceOffice

BATCH_SIZE = 2000

# The account every measured page logs in with. Its password is the one of
# every generated account: one Argon2 hash serves them all.
BENCH_LOGIN_ID = "bench-user"
BENCH_PASSWORD = "Messlauf-Kennwort-2026"
BENCH_USER_ENROLLMENTS = 40
BENCH_USER_UPCOMING_ENROLLMENTS = 8

# A word in the titles of about one course in seven.
SEARCH_TERM = "Workshop"

TOPICS = [
    "Datenschutz",
    "Grundbuchrecht",
    "Zwangsvollstreckung",
    "Insolvenzrecht",
    "Familienrecht",
    "Betreuungsrecht",
    "Nachlasssachen",
    "Registerrecht",
    "Strafvollstreckung",
    "Jugendstrafrecht",
    "Verkehrsstrafrecht",
    "Wirtschaftsstrafrecht",
    "Asyl- und Ausländerrecht",
    "Kostenrecht",
    "elektronische Akte",
    "elektronischer Rechtsverkehr",
    "Kommunikation im Team",
    "Konfliktmanagement",
    "Gesprächsführung",
    "Führung",
    "Zeitmanagement",
    "Gesundheitsmanagement",
    "Deeskalation",
    "Eigensicherung",
    "Erste Hilfe",
    "Tabellenkalkulation",
    "Textverarbeitung",
    "Informationssicherheit",
    "Haushaltsrecht",
    "Beurteilungswesen",
    "Personalrecht",
    "Vergaberecht",
    "Öffentlichkeitsarbeit",
    "Mediation",
    "Vernehmungstechnik",
    "Sachverständigenbeweis",
    "Opferschutz",
    "Suchtprävention",
    "interkulturelle Kompetenz",
    "Barrierefreiheit",
]
KINDS = [
    "Einführung in",
    "Aufbaukurs",
    "Praxisseminar",
    "Aktuelle Fragen:",
    "Workshop",
    "Fachtagung",
    "Update",
]
TOWNS = [
    ("Justizakademie des Landes Baden-Württemberg", "Schwetzingen"),
    ("Bildungszentrum Justizvollzug", "Stuttgart"),
    ("Oberlandesgericht", "Karlsruhe"),
    ("Oberlandesgericht", "Stuttgart"),
    ("Landgericht", "Freiburg im Breisgau"),
    ("Tagungshaus", "Triberg"),
    ("", ""),
]
FIRST_NAMES = [
    "Anna", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hannes", "Ida",
    "Jonas", "Katharina", "Lukas", "Mia", "Niklas", "Olga", "Paul", "Rosa",
    "Stefan", "Tanja", "Ulrich", "Vera", "Wolfgang", "Yasemin", "Zoe",
]  # fmt: skip
LAST_NAMES = [
    "Bauer", "Becker", "Fischer", "Hoffmann", "Keller", "Klein", "Koch",
    "Maier", "Müller", "Neumann", "Richter", "Schäfer", "Schmid", "Schneider",
    "Schulz", "Schwarz", "Wagner", "Weber", "Wolf", "Zimmermann", "Yılmaz",
    "Nowak", "Kovač", "Rossi",
]  # fmt: skip
# Weights of the career groups among the accounts.
CAREER_GROUP_WEIGHTS = {"MD": 30, "GD": 25, "HD": 5, "R": 12, "TB": 20, "AZ": 8}
# Share of accounts in the justice ministry; the rest spread over the others.
JUSTICE_MINISTRY = "JUM"
JUSTICE_SHARE = 0.8


@dataclass(frozen=True)
class Size:
    accounts: int
    courses: int
    enrollments: int

    @classmethod
    def scaled(cls, fraction):
        """Return the full size of the issue, times a fraction."""
        return cls(
            accounts=max(60, round(60_000 * fraction)),
            courses=max(BENCH_USER_ENROLLMENTS + 5, round(6_000 * fraction)),
            enrollments=max(200, round(400_000 * fraction)),
        )


FULL = Size.scaled(1.0)
SMALL = Size.scaled(0.01)


@dataclass(frozen=True)
class Result:
    accounts: int
    courses: int
    enrollments: int
    last_enrollment_id: int


def _insert(model, columns, rows, progress):
    """Insert tuples into a model's table: COPY on PostgreSQL, else batches."""
    if connection.vendor == "postgresql":
        from psycopg import sql

        table = model._meta.db_table
        names = [model._meta.get_field(column).column for column in columns]
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names))
        )
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                progress.advance()
        return

    batch = []
    for row in rows:
        batch.append(model(**dict(zip(columns, row, strict=True))))
        if len(batch) == BATCH_SIZE:
            model.objects.bulk_create(batch)
            progress.advance(len(batch))
            batch = []
    model.objects.bulk_create(batch)
    progress.advance(len(batch))


def _head_offices():
    """Map each office to the office heading its org units, in memory."""
    offices = {
        pk: (parent_id, kind)
        for pk, parent_id, kind in ServiceOffice.objects.values_list(
            "pk", "parent_id", "kind"
        )
    }
    heads = {}
    for pk in offices:
        office, seen = pk, set()
        while office is not None and office not in seen:
            parent_id, kind = offices[office]
            if kind in ServiceOffice.ORG_UNIT_KINDS:
                heads[pk] = office
                break
            seen.add(office)
            office = parent_id
    return heads


def _account_rows(rng, size, password, now):
    """Return the accounts, the bench user first, as an iterator of tuples.

    The reference data is read before the first row: the rows feed a COPY,
    during which the connection can run no other query.
    """
    ministries = list(Ministry.objects.order_by("code").values_list("pk", "code"))
    justice = next(pk for pk, code in ministries if code == JUSTICE_MINISTRY)
    others = [pk for pk, code in ministries if code != JUSTICE_MINISTRY]
    offices_by_ministry = {}
    for pk, ministry_id in (
        ServiceOffice.objects.selectable()
        .order_by("code")
        .values_list("pk", "ministry_id")
    ):
        offices_by_ministry.setdefault(ministry_id, []).append(pk)
    groups = dict(
        CareerGroup.objects.filter(code__in=CAREER_GROUP_WEIGHTS).values_list(
            "code", "pk"
        )
    )
    group_codes = sorted(groups)
    group_weights = [CAREER_GROUP_WEIGHTS[code] for code in group_codes]
    heads = _head_offices()
    org_units = {
        (office, group): pk
        for pk, office, group in OrgUnit.objects.values_list(
            "pk", "service_office_id", "career_group_id"
        )
    }

    def rows():
        numbers = rng.sample(range(10_000_000, 100_000_000), size.accounts)
        for index, number in enumerate(numbers):
            ministry = justice if rng.random() < JUSTICE_SHARE else rng.choice(others)
            offices = offices_by_ministry.get(ministry)
            office = rng.choice(offices) if offices else None
            group = groups[rng.choices(group_codes, group_weights)[0]]
            login_id = BENCH_LOGIN_ID if index == 0 else f"{number:08d}"
            yield (
                password,
                False,
                login_id,
                f"{number:08d}",
                rng.choice(FIRST_NAMES),
                rng.choice(LAST_NAMES),
                f"{login_id}@example.org",
                "",
                ministry,
                office,
                group,
                org_units.get((heads.get(office), group)),
                index == 0 or rng.random() > 0.02,
                False,
                index != 0 and rng.random() < 0.1,
                now - timedelta(days=rng.randrange(5 * 365)),
            )

    return rows()


ACCOUNT_COLUMNS = (
    "password",
    "is_superuser",
    "login_id",
    "personnel_number",
    "first_name",
    "last_name",
    "email",
    "phone",
    "ministry_id",
    "service_office_id",
    "career_group_id",
    "org_unit_id",
    "is_active",
    "is_staff",
    "must_reset_password",
    "date_joined",
)


def _course_rows(rng, size, now):
    """Return the courses over five years: four past, one to come."""
    first_start = now - timedelta(days=4 * 365)
    span_minutes = 5 * 365 * 24 * 60
    starts = sorted(
        first_start + timedelta(minutes=rng.randrange(span_minutes))
        for _ in range(size.courses)
    )
    rows, per_year = [], {}
    for starts_at in starts:
        starts_at = starts_at.replace(hour=9, minute=0, second=0, microsecond=0)
        year = starts_at.strftime("%y")
        per_year[year] = per_year.get(year, 0) + 1
        topic, kind = rng.choice(TOPICS), rng.choice(KINDS)
        venue, town = rng.choice(TOWNS)
        days = rng.choice((1, 1, 1, 2, 2, 3, 5))
        course_format = (
            Course.Format.ONLINE
            if not town
            else rng.choice(
                [Course.Format.IN_PERSON] * 6
                + [Course.Format.HYBRID, Course.Format.BLENDED]
            )
        )
        rows.append(
            (
                f"{year}-{per_year[year]:04d}",
                f"{kind} {topic}",
                f"Die Veranstaltung behandelt {topic} für die Praxis der "
                f"Gerichte, Staatsanwaltschaften und Justizvollzugsanstalten. "
                f"Sie dauert {days} Tag(e).",
                "Fortbildungsreferat",
                course_format,
                venue,
                town,
                "Beschäftigte der Justiz",
                starts_at,
                starts_at + timedelta(days=days - 1, hours=7),
                rng.randrange(12, 31),
                None,
                starts_at - timedelta(weeks=6),
                14,
                rng.choice(
                    [Course.SelectionMode.FIRST_COME] * 3
                    + [Course.SelectionMode.BY_OFFICE]
                ),
                "fortbildung@example.org",
                rng.random() > 0.03,
                starts_at if rng.random() < 0.02 else None,
                starts_at - timedelta(days=120),
            )
        )
    return rows


COURSE_COLUMNS = (
    "number",
    "title",
    "description",
    "organizer",
    "format",
    "venue",
    "town",
    "target_audience",
    "starts_at",
    "ends_at",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "short_notice_days",
    "selection_mode",
    "contact_email",
    "is_published",
    "canceled_at",
    "created_at",
)
ENROLLMENT_COLUMNS = (
    "course_id",
    "user_id",
    "status",
    "waitlist_position",
    "org_unit_id",
    "career_group_id",
    "created_at",
    "canceled_at",
    "canceled_by_id",
    "cancel_reason",
)


def _applications_per_course(rng, size, user_count):
    """Split the enrolments over the courses; popular ones get many."""
    weights = [rng.gammavariate(2.0, 1.0) for _ in range(size.courses)]
    total = sum(weights)
    counts = [
        min(user_count - 1, int(size.enrollments * weight / total))
        for weight in weights
    ]
    index = 0
    while sum(counts) < size.enrollments:
        if counts[index] < user_count - 1:
            counts[index] += 1
        index = (index + 1) % size.courses
    return counts


def _enrollment_rows(rng, size, courses, users, bench_user, now):
    """Yield each course's applications with the statuses they would have.

    Applicants come in order; some cancel, the first ones that stay take
    the places, the rest wait (course to come) or were turned down (past).
    The bench user applies early to a few courses to come and anywhere to
    past ones, so that "Meine Bildungsmaßnahmen" shows 40 rows of every kind.
    """
    user_ids = [user[0] for user in users if user[0] != bench_user]
    snapshot = {pk: (org_unit, group) for pk, org_unit, group in users}
    upcoming = [course for course in courses if course[2] > now and not course[4]]
    past = [course for course in courses if course[2] <= now]
    bench_count = min(BENCH_USER_ENROLLMENTS, len(courses))
    bench_upcoming = min(BENCH_USER_UPCOMING_ENROLLMENTS, len(upcoming), bench_count)
    bench_courses = {
        course[0]: True for course in rng.sample(upcoming, bench_upcoming)
    } | {
        course[0]: False
        for course in rng.sample(past, min(len(past), bench_count - bench_upcoming))
    }
    counts = _applications_per_course(rng, size, len(user_ids) + 1)

    for course, count in zip(courses, counts, strict=True):
        pk, capacity, starts_at, opens_at, canceled_at = course
        applicants = rng.sample(user_ids, count)
        if pk in bench_courses:
            if applicants:
                applicants.pop()
            position = 0 if bench_courses[pk] else rng.randrange(len(applicants) + 1)
            applicants.insert(position, bench_user)
        window = max(
            1, int((starts_at - timedelta(weeks=6) - opens_at).total_seconds())
        )
        times = sorted(
            opens_at + timedelta(seconds=rng.randrange(window)) for _ in applicants
        )
        seated = waiting = 0
        for user, created_at in zip(applicants, times, strict=True):
            status, position, canceled, canceled_by = _status(
                rng, starts_at, now, capacity, seated, canceled_at, user == bench_user
            )
            if status in Enrollment.SEATED_STATUSES:
                seated += 1
            if status == Enrollment.Status.WAITLISTED:
                waiting += 1
                position = waiting
            canceled_at = None
            if canceled:
                canceled_at = created_at + (starts_at - created_at) * rng.random()
                canceled_by = user
            org_unit, group = snapshot[user]
            yield (
                pk,
                user,
                status,
                position,
                org_unit,
                group,
                created_at,
                canceled_at,
                canceled_by,
                "",
            )


def _status(rng, starts_at, now, capacity, seated, course_canceled_at, is_bench):
    """Return (status, waitlist position, canceled?, canceled by) of one."""
    status_ = Enrollment.Status
    if course_canceled_at is not None:
        return status_.COURSE_CANCELED, None, False, None
    if not is_bench and rng.random() < 0.12:
        return status_.CANCELED, None, True, None
    if seated < capacity:
        if starts_at <= now:
            status = status_.ATTENDED if rng.random() < 0.92 else status_.ADMITTED
        else:
            status = status_.REGISTERED if rng.random() < 0.7 else status_.ADMITTED
        return status, None, False, None
    if starts_at <= now:
        return status_.REJECTED, None, False, None
    return status_.WAITLISTED, None, False, None


@transaction.atomic
def generate(*, size, seed=SEED, now=None, progress=Progress):
    """Create the accounts, courses and enrolments of a data set.

    The reference data must be loaded. Returns the counts and the last
    enrolment id, so that a later run can remove what the benchmark added.
    """
    rng = random.Random(seed)
    now = now or timezone.now()
    password = make_password(BENCH_PASSWORD)

    bar = progress("accounts", size.accounts)
    _insert(User, ACCOUNT_COLUMNS, _account_rows(rng, size, password, now), bar)
    bar.close()
    users = list(
        User.objects.order_by("pk").values_list("pk", "org_unit_id", "career_group_id")
    )
    bench_user = User.objects.get(login_id=BENCH_LOGIN_ID).pk

    bar = progress("courses", size.courses)
    _insert(Course, COURSE_COLUMNS, _course_rows(rng, size, now), bar)
    bar.close()
    courses = list(
        Course.objects.order_by("starts_at", "number").values_list(
            "pk", "capacity", "starts_at", "created_at", "canceled_at"
        )
    )
    _target_groups(rng, courses)

    bar = progress("enrolments", size.enrollments)
    rows = _enrollment_rows(rng, size, courses, users, bench_user, now)
    _insert(Enrollment, ENROLLMENT_COLUMNS, rows, bar)
    bar.close()

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Result(
        accounts=len(users),
        courses=len(courses),
        enrollments=Enrollment.objects.count(),
        last_enrollment_id=Enrollment.objects.order_by("-pk")
        .values_list("pk", flat=True)
        .first(),
    )


def _target_groups(rng, courses):
    """Open two courses in five to one or two career groups only."""
    groups = list(
        CareerGroup.objects.filter(is_active=True).values_list("pk", flat=True)
    )
    through = Course.target_career_groups.through
    links = []
    for course in courses:
        if rng.random() < 0.4:
            for group in rng.sample(groups, rng.choice((1, 2))):
                links.append(through(course_id=course[0], careergroup_id=group))
    through.objects.bulk_create(links, batch_size=BATCH_SIZE)
