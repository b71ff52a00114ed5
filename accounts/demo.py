"""Demo officers for a local run: one of each admin role."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.roles import TRAINING_OFFICE, TRAINING_OFFICER
from accounts.services import fitting_org_unit, set_up_role_groups
from orgunits.models import CareerGroup, ServiceOffice

# Printed by `make run`; demo data refuses to load outside debug mode.
DEMO_OFFICER_PASSWORD = "Demo-Verwaltung-2026"
DEMO_OFFICERS = [
    # login id, first name, last name, role group, office, career group
    ("fortbildungsreferat", "Frieda", "Referat", TRAINING_OFFICE, "X-MJ", "HD"),
    (
        "bildungsverantwortung",
        "Bernd",
        "Verantwortlich",
        TRAINING_OFFICER,
        "B1000",
        "GD",
    ),
]


@transaction.atomic
def load_demo_officers():
    """Create the demo officers once; return (login id, password) pairs."""
    set_up_role_groups()
    user_model = get_user_model()
    logins = []
    for login_id, first, last, group_name, office_code, group_code in DEMO_OFFICERS:
        office = ServiceOffice.objects.get(code=office_code)
        career_group = CareerGroup.objects.get(code=group_code)
        user, created = user_model.objects.get_or_create(
            login_id=login_id,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{login_id}@example.org",
                "ministry": office.ministry,
                "service_office": office,
                "career_group": career_group,
                "org_unit": fitting_org_unit(
                    service_office=office, career_group=career_group
                ),
                "is_staff": True,
            },
        )
        if created:
            user.set_password(DEMO_OFFICER_PASSWORD)
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=group_name))
        logins.append((user.login_id, DEMO_OFFICER_PASSWORD))
    return logins
