"""Every POST needs the CSRF token of its own session.

wapiti 3.0.4 reports "Lack of anti CSRF token" on the portal's forms because
it looks for field names such as "csrf_token" and does not know Django's
"csrfmiddlewaretoken"; these tests show that every form carries the token
and that a request without it, with a wrong one or with another session's
one is refused (docs/security.md, docs/security/false-positives.json).
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.recovery import make_confirmation_token
from accounts.services import request_email_change
from tests.conftest import log_in_with_second_factor
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SAMPLE_ARGUMENTS = {"int": "1", "str": "x", "path": "x", "slug": "x", "uuid": None}


def routes(patterns=None, prefix=""):
    """Yield a concrete path for every route of the portal."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def sample_path(route):
    """Fill a route's converters with values that resolve, or return None."""
    if route.startswith("^") or "(?P" in route:
        # The admin's regex catch-all routes; the named ones cover it.
        return None
    path = "/" + route
    for converter in re.findall(r"<(?:(\w+):)?\w+>", route):
        value = SAMPLE_ARGUMENTS.get(converter or "str")
        if value is None:
            return None
        path = re.sub(r"<(?:\w+:)?\w+>", value, path, count=1)
    return path


ALL_PATHS = sorted({path for path in map(sample_path, routes()) if path})


@pytest.mark.django_db
@pytest.mark.parametrize("path", ALL_PATHS)
def test_no_route_accepts_a_post_without_token(path):
    client = Client(enforce_csrf_checks=True)

    response = client.post(path, {"username": "x", "password": "y"})

    assert_refused_by_csrf_check(response)


def assert_refused_by_csrf_check(response):
    assert response.status_code == 403
    assert "403_csrf.html" in [template.name for template in response.templates]


def token_of(response):
    match = TOKEN.search(response.content.decode())
    assert match, "the form must carry a CSRF token"
    return match.group(1)


def foreign_token(page_url):
    """Return a valid token of another, anonymous session."""
    other = Client(enforce_csrf_checks=True)
    return token_of(other.get(page_url, follow=True))


def as_employee(client, user):
    client.force_login(user)
    return user


def login_case(client):
    return reverse("accounts:login"), reverse("accounts:login")


def signup_case(client):
    return reverse("accounts:signup"), reverse("accounts:signup")


def password_reset_case(client):
    return reverse("accounts:password_reset"), reverse("accounts:password_reset")


def login_id_reminder_case(client):
    url = reverse("accounts:login_id_reminder")
    return url, url


def password_reset_confirm_case(client):
    user = UserFactory()
    url = reverse(
        "accounts:password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    # The view moves the token into the session and redirects.
    final = client.get(url, follow=True).redirect_chain[-1][0]
    return final, final


def signup_confirm_case(client):
    user = UserFactory(is_active=False)
    url = reverse(
        "accounts:signup_confirm", kwargs={"token": make_confirmation_token(user)}
    )
    return url, url


def email_change_confirm_case(client):
    user = UserFactory()
    request_email_change(user=user, new_email="neu@example.org")
    from django.core import mail

    path = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body).group(1)
    return path, path


def accessibility_feedback_case(client):
    url = reverse("pages:accessibility_statement")
    return url, url


def admin_login_case(client):
    return reverse("admin:login"), reverse("admin:login")


def profile_update_case(client):
    as_employee(client, UserFactory())
    url = reverse("accounts:profile_update")
    return url, url


def email_change_case(client):
    as_employee(client, UserFactory())
    url = reverse("accounts:email_change")
    return url, url


def password_change_case(client):
    as_employee(client, UserFactory())
    url = reverse("accounts:password_change")
    return url, url


def second_factor_setup_case(client):
    as_employee(client, UserFactory())
    url = reverse("accounts:second_factor_setup")
    return url, url


def second_factor_remove_case(client):
    user = UserFactory()
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    log_in_with_second_factor(client, user)
    return reverse("accounts:second_factor"), reverse("accounts:second_factor_remove")


def recovery_codes_renew_case(client):
    user = UserFactory()
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    log_in_with_second_factor(client, user)
    return reverse("accounts:second_factor"), reverse("accounts:recovery_codes_renew")


def second_factor_verify_case(client):
    user = UserFactory()
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.force_login(user)
    url = reverse("accounts:second_factor_verify")
    return url, url


def logout_case(client):
    as_employee(client, UserFactory())
    return reverse("accounts:profile"), reverse("accounts:logout")


def enroll_case(client):
    as_employee(client, UserFactory())
    course = CourseFactory(
        registration_opens_at=timezone.now() - timedelta(days=1),
    )
    return (
        reverse("courses:course_detail", args=[course.number]),
        reverse("courses:enroll", args=[course.number]),
    )


def enrollment_cancel_case(client):
    user = as_employee(client, UserFactory())
    enrollment = EnrollmentFactory(user=user)
    url = reverse("courses:enrollment_cancel", args=[enrollment.pk])
    return url, url


def admin_action_case(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    log_in_with_second_factor(client, admin)
    url = reverse("admin:accounts_user_changelist")
    return url, url


FORMS = [
    login_case,
    signup_case,
    password_reset_case,
    login_id_reminder_case,
    password_reset_confirm_case,
    signup_confirm_case,
    email_change_confirm_case,
    accessibility_feedback_case,
    admin_login_case,
    profile_update_case,
    email_change_case,
    password_change_case,
    second_factor_setup_case,
    second_factor_verify_case,
    second_factor_remove_case,
    recovery_codes_renew_case,
    logout_case,
    enroll_case,
    enrollment_cancel_case,
    admin_action_case,
]


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


@pytest.mark.django_db
@pytest.mark.parametrize("case", FORMS, ids=lambda case: case.__name__)
def test_form_with_its_own_token_passes_the_check(csrf_client, case):
    page_url, post_url = case(csrf_client)
    token = token_of(csrf_client.get(page_url))

    response = csrf_client.post(post_url, {"csrfmiddlewaretoken": token})

    assert response.status_code != 403


@pytest.mark.django_db
@pytest.mark.parametrize("case", FORMS, ids=lambda case: case.__name__)
@pytest.mark.parametrize(
    "token", ["", "wapiti", "foreign"], ids=["missing", "wrong", "other session"]
)
def test_form_without_its_own_token_is_refused(csrf_client, case, token):
    page_url, post_url = case(csrf_client)
    csrf_client.get(page_url)
    if token == "foreign":
        token = foreign_token(reverse("accounts:login"))
    data = {"csrfmiddlewaretoken": token} if token else {}

    response = csrf_client.post(post_url, data)

    assert_refused_by_csrf_check(response)
