import email
import email.policy
import socket
import time

import pytest

from tests.factories import TEST_PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _forget_kept_catalogue():
    """Start each test without the catalogue lists kept in this process.

    They are kept under a revision from the database, which a test's
    rollback sets back, so that the next test could meet the same number
    (and, on SQLite, the same course ids).
    """
    from courses import catalogue, my_enrollments
    from courses.templatetags import course_fragments

    catalogue.clear()
    my_enrollments.clear()
    course_fragments.forget_catalogue_results()


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture
def employee(db):
    return UserFactory()


@pytest.fixture
def reference_data(db):
    """Load the reference data that ships with the portal."""
    from orgunits.services import load_reference_data

    return load_reference_data()


@pytest.fixture
def role_groups(db):
    """Set up the groups Fortbildungsreferat and Bildungsverantwortliche."""
    from accounts.services import set_up_role_groups

    return set_up_role_groups()


def log_in_with_second_factor(client, user):
    """Log a user in with a confirmed authenticator app, as the admin needs."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def login_verified():
    return log_in_with_second_factor


class SMTPInbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted"

    def bodies(self):
        return [
            message.get_body(preferencelist=("plain",)).get_content()
            for message in self.messages
        ]

    def wait_for(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_port(settings):
    """Point the portal's mail at a port on 127.0.0.1, over real SMTP."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    return port


@pytest.fixture
def smtp_server(smtp_port):
    """Run a real SMTP server (aiosmtpd) for the test; yield its inbox."""
    from aiosmtpd.controller import Controller

    inbox = SMTPInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield inbox
    controller.stop()
