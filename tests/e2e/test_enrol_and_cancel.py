import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD, CourseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


def calendar_methods(message):
    return [
        line.split(":", 1)[1].strip()
        for part in message.walk()
        if part.get_content_type() == "text/calendar"
        for line in part.get_payload(decode=True).decode().splitlines()
        if line.startswith("METHOD:")
    ]


def test_employee_enrols_sees_the_status_and_cancels(live_server, page, smtp_inbox):
    course = CourseFactory(title="Vernehmungstechnik")
    employee = UserFactory()

    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Nutzerkennung").fill(employee.login_id)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.goto(live_server.url + course.get_absolute_url())
    page.get_by_role("button", name="Anmelden", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Bildungsmaßnahmen")
    row = page.get_by_role("row").filter(has_text="Vernehmungstechnik")
    expect(row.get_by_role("cell").nth(3)).to_have_text("zugelassen")

    row.get_by_role("link", name="Stornieren").click()
    expect(page.get_by_text(course.title)).to_be_visible()
    page.get_by_label("Grund").fill("Terminkollision")
    page.get_by_role("button", name="Stornieren").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung storniert")
    page.get_by_role("link", name="Zurück zur Übersicht").click()
    row = page.get_by_role("row").filter(has_text="Vernehmungstechnik")
    expect(row.get_by_role("cell").nth(3)).to_have_text("storniert")
    expect(row.get_by_role("cell").nth(4)).to_have_text("Bereits storniert")

    confirmed, canceled = smtp_inbox.messages
    assert confirmed["To"] == canceled["To"] == employee.email
    assert course.number in confirmed["Subject"]
    assert calendar_methods(confirmed) == ["PUBLISH"]
    assert "Stornierung" in canceled["Subject"]
    assert calendar_methods(canceled) == ["CANCEL"]
