"""Hostile input at every form and query parameter: never a server error.

Hypothesis throws arbitrary Unicode, control characters (NUL above all,
which PostgreSQL refuses in text), look-alikes and oversized values at the
public forms, the forms of "Meine Daten", the catalogue and "Stornieren".
Every answer must be a page or a redirect, never a 500; a value with control
characters must get a clear form error and leave nothing in the database.
"""

import itertools
import unicodedata
from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import OutgoingMail, User
from courses.models import Enrollment
from orgunits.models import CareerGroup, ServiceOffice
from tests.factories import TEST_PASSWORD, CourseFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db

# Every example runs against one database and one client per test: the
# fixtures are meant to be shared, the examples must not depend on order.
hostile = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

KNOWN_TROUBLE = [
    "\x00",
    "Muster\x00mann",
    "%00",
    "\x1b[31mrot",
    "\u202emaxE",
    "\ufeff12345678",
    "𝟘𝟙𝟚𝟛𝟜𝟝𝟞𝟟",
    "ＡＢＣ",
    "' OR '1'='1' --",
    "<script>alert(1)</script>",
    "{{ request }}{% debug %}",
    "../../etc/passwd",
    "-1",
    "1e309",
    "NaN",
    "9" * 40,
    "ß" * 300,
    "x" * 100_000,
]

hostile_text = st.one_of(
    st.sampled_from(KNOWN_TROUBLE),
    st.text(max_size=40),
    st.text(
        alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Mn"]),
        min_size=1,
        max_size=10,
    ),
    st.builds(
        lambda char, count: char * count,
        st.characters(exclude_categories=["Cs"]),
        st.integers(min_value=150, max_value=20_000),
    ),
)

BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ERROR_SUMMARY = "portal-error-summary"


def has_control_characters(value, *, multiline=False):
    allowed = set("\t\n\r") if multiline else set()
    return any(
        (unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS)
        and char not in allowed
        for char in value.strip()
    )


def assert_answered(response):
    assert response.status_code < 500, response.status_code
    assert b"Traceback" not in response.content


def assert_form_error(response):
    assert response.status_code == 200
    assert ERROR_SUMMARY in response.content.decode()


def assert_nothing_invisible_stored():
    for user in User.objects.all():
        for value in (user.login_id, user.first_name, user.last_name, user.phone):
            assert not has_control_characters(value), repr(value)


@pytest.fixture
def signup_data(reference_data):
    office = ServiceOffice.objects.get(code="B1101")
    numbers = itertools.count(10_000_000)

    def data(**changes):
        return {
            "personnel_number": str(next(numbers)),
            "login_id": "",
            "first_name": "Erika",
            "last_name": "Muster",
            "email": "erika.muster@example.org",
            "phone": "",
            "ministry": office.ministry.pk,
            "service_office": office.pk,
            "career_group": CareerGroup.objects.get(code="GD").pk,
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
            **changes,
        }

    return data


@pytest.fixture
def signed_in(client, employee):
    client.force_login(employee)
    return client


SIGNUP_FIELDS = [
    "personnel_number",
    "login_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "ministry",
    "service_office",
    "career_group",
]


@hostile
@given(field=st.sampled_from(SIGNUP_FIELDS), value=hostile_text)
def test_signup_answers_hostile_input_with_form_errors(
    client, signup_data, field, value
):
    users_before = User.objects.count()

    response = client.post(reverse("accounts:signup"), signup_data(**{field: value}))

    assert_answered(response)
    if has_control_characters(value):
        assert_form_error(response)
        assert User.objects.count() == users_before
    assert_nothing_invisible_stored()


@hostile
@given(value=hostile_text)
def test_signup_answers_hostile_passwords(client, signup_data, value):
    response = client.post(
        reverse("accounts:signup"), signup_data(password1=value, password2=value)
    )

    assert_answered(response)
    if "\x00" in value:
        assert_form_error(response)


@hostile
@given(username=hostile_text, password=hostile_text)
def test_login_answers_hostile_input_without_logging_in(
    client, employee, username, password
):
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": password}
    )

    assert_answered(response)
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


@hostile
@given(login_id=hostile_text)
def test_password_reset_request_answers_hostile_input(client, employee, login_id):
    mails_before = OutgoingMail.objects.count()

    response = client.post(reverse("accounts:password_reset"), {"login_id": login_id})

    assert_answered(response)
    if has_control_characters(login_id):
        assert_form_error(response)
        assert OutgoingMail.objects.count() == mails_before


@hostile
@given(email=hostile_text)
def test_login_id_reminder_answers_hostile_input(client, employee, email):
    response = client.post(reverse("accounts:login_id_reminder"), {"email": email})

    assert_answered(response)
    assert not OutgoingMail.objects.exclude(recipients=[employee.email]).exists()


PROFILE_FIELDS = ["first_name", "last_name", "phone", "service_office"]


@hostile
@given(field=st.sampled_from(PROFILE_FIELDS), value=hostile_text)
def test_profile_update_answers_hostile_input(signed_in, employee, field, value):
    data = {
        "first_name": "Erika",
        "last_name": "Muster",
        "phone": "",
        "service_office": employee.service_office_id,
        field: value,
    }

    response = signed_in.post(reverse("accounts:profile_update"), data)

    assert_answered(response)
    if has_control_characters(value):
        assert_form_error(response)
    assert_nothing_invisible_stored()


@hostile
@given(email=hostile_text, password=hostile_text)
def test_email_change_answers_hostile_input(signed_in, employee, email, password):
    response = signed_in.post(
        reverse("accounts:email_change"), {"email": email, "password": password}
    )

    assert_answered(response)
    employee.refresh_from_db()
    assert employee.email.endswith("@example.org")


@hostile
@given(old=hostile_text, new=hostile_text)
def test_password_change_answers_hostile_input(signed_in, employee, old, new):
    response = signed_in.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )

    assert_answered(response)
    employee.refresh_from_db()
    assert employee.check_password(TEST_PASSWORD)


CATALOGUE_PARAMETERS = [
    "q",
    "date_from",
    "date_to",
    "format",
    "town",
    "career_group",
    "free_only",
    "page",
]


@hostile
@given(parameter=st.sampled_from(CATALOGUE_PARAMETERS), value=hostile_text)
def test_catalogue_answers_hostile_query_parameters(client, db, parameter, value):
    response = client.get(reverse("courses:course_list"), {parameter: value})

    assert_answered(response)
    assert response.status_code == 200


@hostile
@given(value=hostile_text)
def test_catalogue_search_explains_control_characters(client, db, value):
    response = client.get(reverse("courses:course_list"), {"q": value})

    assert response.status_code == 200
    if has_control_characters(value):
        assert "Steuerzeichen" in response.content.decode()


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        ("abc", 1),
        ("", 1),
        ("1.5", 1),
        ("0", 2),
        ("-1", 2),
        ("999999", 2),
        ("9" * 40, 2),
        ("2", 2),
    ],
)
def test_catalogue_paging_never_fails(client, db, page, shown):
    CourseFactory.create_batch(21)

    response = client.get(reverse("courses:course_list"), {"page": page})

    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


@hostile
@given(number=hostile_text)
def test_course_pages_answer_hostile_numbers(client, employee, number):
    path = reverse("courses:course_list") + quote(number, safe="") + "/"
    client.force_login(employee)

    page = client.get(path)
    enrolment = client.post(path + "anmelden/")

    assert_answered(page)
    assert_answered(enrolment)
    assert not Enrollment.objects.exists()


@hostile
@given(reason=hostile_text)
def test_cancel_reason_answers_hostile_input(signed_in, employee, reason):
    enrollment = EnrollmentFactory(user=employee)

    response = signed_in.post(
        reverse("courses:enrollment_cancel", args=[enrollment.pk]),
        {"reason": reason},
    )

    assert_answered(response)
    enrollment.refresh_from_db()
    if has_control_characters(reason, multiline=True) or len(reason.strip()) > 1000:
        assert_form_error(response)
        assert enrollment.status == Enrollment.Status.ADMITTED
    else:
        assert enrollment.status == Enrollment.Status.CANCELED


@hostile
@given(
    route=st.sampled_from(
        [
            ("accounts:signup_confirm", 1),
            ("accounts:email_change_confirm", 1),
            ("accounts:password_reset_confirm", 2),
            ("courses:enrollment_cancel", 0),
        ]
    ),
    value=hostile_text,
)
def test_links_with_hostile_tokens_answer(signed_in, route, value):
    name, token_count = route
    tokens = ["x"] * token_count if token_count else [1]
    path = reverse(name, args=tokens)
    hostile_path = path.replace("/x/", "/" + quote(value, safe="") + "/").replace(
        "/1/", "/" + quote(value, safe="") + "/"
    )

    response = signed_in.get(hostile_path)

    assert_answered(response)
