"""Demo data for a local run: sample courses and demo accounts."""

import json
import math
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.services import fitting_org_unit
from courses.models import Course
from orgunits.models import CareerGroup, ServiceOffice

SAMPLE_COURSES = Path(__file__).resolve().parent / "data" / "sample_courses.json"

# Passwords of the demo accounts, printed by `make run`. Demo data refuses to
# load outside debug mode, so these never exist in production.
DEMO_PASSWORD = "Demo-Kennwort-2026"
DEMO_ACCOUNTS = [
    # login id, personnel number, first name, last name, office, career group
    ("10000001", "10000001", "Erika", "Muster", "B1100", "GD"),
    ("10000002", "10000002", "Max", "Beispiel", "B1000", "R"),
    ("10000003", "10000003", "Jana", "Probe", "B8322", "MD"),
]


def _description(course):
    return (
        f"Zielgruppe: {course['target_audience']}. Veranstalter: "
        f"{course['organizer']}. Dauer: "
        f"{str(course['duration_days']).replace('.', ',')} Tag(e)."
    )


@transaction.atomic
def load_demo_courses(*, today=None):
    """Create or update the sample courses, 7 to 40 weeks from today."""
    tz = ZoneInfo(settings.TIME_ZONE)
    today = today or timezone.localdate()
    samples = json.loads(SAMPLE_COURSES.read_text(encoding="utf-8"))["courses"]
    groups = {group.code: group for group in CareerGroup.objects.all()}

    courses = []
    for index, sample in enumerate(samples):
        start_day = today + timedelta(weeks=7 + 2 * index)
        start_day += timedelta(days=(7 - start_day.weekday()) % 7)  # a Monday
        starts_at = datetime.combine(start_day, time(9, 0), tzinfo=tz)
        days = max(1, math.ceil(sample["duration_days"]))
        ends_at = datetime.combine(
            start_day + timedelta(days=days - 1),
            time(12, 30) if sample["duration_days"] < 1 else time(16, 0),
            tzinfo=tz,
        )
        number = f"{start_day:%y}-{sample['key'].replace('SC-', 'BP')}"
        course, _ = Course.objects.update_or_create(
            number=number,
            defaults={
                "title": sample["title"],
                "description": _description(sample),
                "organizer": sample["organizer"],
                "format": sample["format"],
                "venue": sample["venue"],
                "town": sample["town"],
                "target_audience": sample["target_audience"],
                "starts_at": starts_at,
                "ends_at": ends_at,
                "capacity": sample["capacity"],
                "registration_closes_at": starts_at
                - timedelta(days=sample["registration_closes_days_before"]),
                "short_notice_days": sample["short_notice_days"],
                "contact_email": settings.PORTAL_TRAINING_OFFICE_EMAIL,
            },
        )
        course.target_career_groups.set(
            [groups[code] for code in sample["career_groups"] if code in groups]
        )
        courses.append(course)
    return courses


@transaction.atomic
def load_demo_accounts():
    """Create the demo employees once; return (login id, password) pairs."""
    user_model = get_user_model()
    logins = []
    for login_id, number, first, last, office_code, group_code in DEMO_ACCOUNTS:
        office = ServiceOffice.objects.get(code=office_code)
        group = CareerGroup.objects.get(code=group_code)
        user, created = user_model.objects.get_or_create(
            login_id=login_id,
            defaults={
                "personnel_number": number,
                "first_name": first,
                "last_name": last,
                "email": f"{login_id}@example.org",
                "ministry": office.ministry,
                "service_office": office,
                "career_group": group,
                "org_unit": fitting_org_unit(service_office=office, career_group=group),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        logins.append((user.login_id, DEMO_PASSWORD))
    return logins
