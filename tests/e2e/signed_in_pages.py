"""Page states behind a login: the employee's pages and the officers' admin.

Each state names who is logged in (``employee``, ``officer`` with a second
factor, or nobody), the page to open, and the form to send for a state that
only a submitted form reaches. ``prepare_signed_in_state`` builds the data,
logs a Django test client in, and hands the session to the browser too.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.roles import TRAINING_OFFICE
from accounts.services import set_up_role_groups
from courses.models import Enrollment
from tests.conftest import log_in_with_second_factor
from tests.factories import (
    TEST_PASSWORD,
    CourseFactory,
    EnrollmentFactory,
    OrgUnitFactory,
    ServiceOfficeFactory,
    UserFactory,
    WaitlistedFactory,
)


@dataclass(frozen=True)
class SignedInState:
    """A page as someone sees it. ``url`` and ``post`` take the world's data.

    ``post`` is sent from the page's form ``form`` (a CSS selector); its
    values may be callables of the world, e.g. for a primary key.
    """

    name: str
    who: str
    url: object
    post: dict | None = None
    form: str = "main form[method=post]"
    status: int = 200
    admin: bool = False
    extra: dict = field(default_factory=dict)

    def __str__(self):
        return self.name

    def resolve(self, world):
        url = self.url(world) if callable(self.url) else reverse(self.url)
        post = None
        if self.post is not None:
            post = {
                key: value(world) if callable(value) else value
                for key, value in self.post.items()
            }
        return url, post


class World:
    """The people, courses and registrations the states are shown with."""

    def __init__(self):
        set_up_role_groups()
        org_unit = OrgUnitFactory()
        office = org_unit.service_office
        self.employee = UserFactory(
            ministry=office.ministry,
            service_office=office,
            career_group=org_unit.career_group,
            org_unit=org_unit,
            phone="0711 123456",
        )
        self.other_office = ServiceOfficeFactory(
            ministry=office.ministry, name="Amtsgericht Achern"
        )
        self.course = CourseFactory(title="Vernehmungstechnik für die Praxis")
        self.admitted = EnrollmentFactory(
            user=self.employee, course=CourseFactory(title="Verwaltungsrecht kompakt")
        )
        WaitlistedFactory(
            user=self.employee, course=CourseFactory(title="Zeitmanagement")
        )
        self.canceled = EnrollmentFactory(
            user=self.employee,
            course=CourseFactory(title="Konfliktgespräche führen"),
            status=Enrollment.Status.CANCELED,
        )
        self.must_reset = UserFactory(must_reset_password=True)
        self.locked = UserFactory()
        self.officer = UserFactory(
            login_id="referat.fortbildung", ministry=office.ministry, is_staff=True
        )
        self.officer.groups.add(Group.objects.get(name=TRAINING_OFFICE))
        # The operator keeps the sign-language videos and reads the feedback.
        self.operator = UserFactory(
            login_id="betrieb", is_staff=True, is_superuser=True
        )

    def lock(self):
        client = Client()
        for _ in range(5):
            client.post(
                reverse("accounts:login"),
                {"username": self.locked.login_id, "password": "falsch-falsch"},
            )

    def client_for(self, who):
        client = Client(raise_request_exception=False)
        if who == "employee":
            client.force_login(self.employee)
        elif who == "officer":
            log_in_with_second_factor(client, self.officer)
        elif who == "operator":
            log_in_with_second_factor(client, self.operator)
        return client


def change_url(model, attribute):
    return lambda world: reverse(
        f"admin:{model}_change", args=[getattr(world, attribute).pk]
    )


SIGNED_IN_STATES = [
    SignedInState("catalogue, logged in", "employee", "courses:course_list"),
    SignedInState(
        "course detail with enrol button",
        "employee",
        lambda world: world.course.get_absolute_url(),
    ),
    SignedInState("Meine Bildungsmaßnahmen", "employee", "courses:my_enrollments"),
    SignedInState(
        "Stornieren confirmation",
        "employee",
        lambda world: reverse("courses:enrollment_cancel", args=[world.admitted.pk]),
    ),
    SignedInState(
        "Stornieren result",
        "employee",
        lambda world: reverse("courses:enrollment_cancel", args=[world.admitted.pk]),
        post={"reason": "Terminkollision"},
    ),
    SignedInState(
        "Stornieren refused for a cancelled registration",
        "employee",
        lambda world: reverse("courses:enrollment_cancel", args=[world.canceled.pk]),
    ),
    SignedInState("Meine Daten", "employee", "accounts:profile"),
    SignedInState("Meine Daten edit form", "employee", "accounts:profile_update"),
    SignedInState(
        "Meine Daten edit form with errors",
        "employee",
        "accounts:profile_update",
        post={"first_name": "", "last_name": ""},
    ),
    SignedInState(
        "Meine Daten after a change of Dienststelle",
        "employee",
        "accounts:profile_update",
        post={"service_office": lambda world: world.other_office.pk},
    ),
    SignedInState("e-mail change form", "employee", "accounts:email_change"),
    SignedInState("password change form", "employee", "accounts:password_change"),
    SignedInState(
        "password change with errors",
        "employee",
        "accounts:password_change",
        post={"old_password": "falsch"},
    ),
    SignedInState("two-factor login", "employee", "accounts:second_factor"),
    SignedInState(
        "login of an account that must set a new password",
        "nobody",
        "accounts:login",
        post={
            "username": lambda world: world.must_reset.login_id,
            "password": TEST_PASSWORD,
        },
    ),
    SignedInState(
        "locked account",
        "nobody",
        "accounts:login",
        post={
            "username": lambda world: world.locked.login_id,
            "password": TEST_PASSWORD,
        },
        status=429,
        extra={"lock": True},
    ),
    # The admin pages of the Fortbildungsreferat and Bildungsverantwortliche.
    SignedInState("admin index", "officer", "admin:index", admin=True),
    SignedInState(
        "admin account list", "officer", "admin:accounts_user_changelist", admin=True
    ),
    SignedInState(
        "admin account change",
        "officer",
        change_url("accounts_user", "employee"),
        admin=True,
    ),
    SignedInState(
        "admin account unlocked",
        "officer",
        "admin:accounts_user_changelist",
        post={
            "action": "unlock_accounts",
            "_selected_action": lambda world: world.locked.pk,
        },
        form="#changelist-form",
        admin=True,
        extra={"lock": True},
    ),
    SignedInState(
        "admin anonymise confirmation",
        "officer",
        "admin:accounts_user_changelist",
        post={
            "action": "anonymise_accounts",
            "_selected_action": lambda world: world.employee.pk,
        },
        form="#changelist-form",
        admin=True,
    ),
    SignedInState(
        "admin course list", "officer", "admin:courses_course_changelist", admin=True
    ),
    SignedInState(
        "admin course change",
        "officer",
        change_url("courses_course", "course"),
        admin=True,
    ),
    SignedInState(
        "admin org-unit review",
        "officer",
        "admin:accounts_orgunitreview_changelist",
        admin=True,
    ),
    SignedInState(
        "admin audit log", "officer", "admin:accounts_auditentry_changelist", admin=True
    ),
    SignedInState(
        "admin enrolment list",
        "officer",
        "admin:courses_enrollment_changelist",
        admin=True,
    ),
    SignedInState(
        "admin service offices",
        "officer",
        "admin:orgunits_serviceoffice_changelist",
        admin=True,
    ),
    SignedInState(
        "admin service office form",
        "officer",
        "admin:orgunits_serviceoffice_add",
        admin=True,
    ),
    SignedInState(
        "admin org units", "officer", "admin:orgunits_orgunit_changelist", admin=True
    ),
    SignedInState(
        "admin role group with German permissions",
        "operator",
        lambda world: reverse(
            "admin:auth_group_change",
            args=[Group.objects.get(name=TRAINING_OFFICE).pk],
        ),
        admin=True,
    ),
    SignedInState(
        "admin sign-language videos",
        "operator",
        "admin:pages_signlanguagevideo_changelist",
        admin=True,
    ),
    SignedInState(
        "admin sign-language video form",
        "operator",
        "admin:pages_signlanguagevideo_add",
        admin=True,
    ),
    SignedInState(
        "admin accessibility feedback",
        "operator",
        "admin:pages_accessibilityfeedback_changelist",
        admin=True,
    ),
]
