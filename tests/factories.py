from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import User
from courses.models import Course, Enrollment
from orgunits.models import CareerGroup, Ministry, OrgUnit, ServiceOffice
from pages.models import SignLanguageVideo

TEST_PASSWORD = "Korrekt-Pferd-Batterie-7"


class MinistryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ministry
        django_get_or_create = ["code"]

    code = "JUM"
    name = "Ministerium der Justiz und für Migration"
    abbreviation = "MJ"


class ServiceOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceOffice

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"Amtsgericht Teststadt {n}")
    kind = "AG"
    town = "Teststadt"
    ministry = factory.SubFactory(MinistryFactory)


class CareerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareerGroup
        django_get_or_create = ["code"]

    code = "GD"
    name = "Laufbahngruppe des gehobenen Dienstes"
    short_name = "gehobener Dienst"


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    service_office = factory.SubFactory(ServiceOfficeFactory, kind="LG")
    career_group = factory.SubFactory(CareerGroupFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    login_id = factory.Sequence(lambda n: f"{20000000 + n}")
    personnel_number = factory.LazyAttribute(lambda user: user.login_id[:8])
    first_name = "Erika"
    last_name = factory.Sequence(lambda n: f"Muster{n}")
    email = factory.LazyAttribute(lambda user: f"{user.login_id}@example.org")
    ministry = factory.SubFactory(MinistryFactory)
    service_office = factory.SubFactory(
        ServiceOfficeFactory, ministry=factory.SelfAttribute("..ministry")
    )
    career_group = factory.SubFactory(CareerGroupFactory)
    password = factory.django.Password(TEST_PASSWORD)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    number = factory.Sequence(lambda n: f"27-T{n:03d}")
    title = factory.Sequence(lambda n: f"Testveranstaltung {n}")
    description = "Eine Veranstaltung für Tests."
    venue = "Justizakademie des Landes Baden-Württemberg"
    town = "Schwetzingen"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(weeks=10))
    ends_at = factory.LazyAttribute(lambda course: course.starts_at + timedelta(days=2))
    capacity = 20


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    course = factory.SubFactory(CourseFactory)
    user = factory.SubFactory(UserFactory)
    status = Enrollment.Status.ADMITTED


class WaitlistedFactory(EnrollmentFactory):
    status = Enrollment.Status.WAITLISTED
    waitlist_position = factory.Sequence(lambda n: n + 1)


def totp_token(device):
    """Return the current code an authenticator app shows for the device."""
    from django_otp.oath import TOTP

    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


class SignLanguageVideoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignLanguageVideo

    title = factory.Sequence(lambda n: f"Das Bildungsportal erklärt, Teil {n}")
    description = "Was das Portal bietet und wie Sie sich darin zurechtfinden."
    file = factory.django.FileField(
        filename="erklaerung.mp4", data=b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2024
    )
    duration = timedelta(minutes=3, seconds=20)
