from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.mail import queue_mail
from accounts.models import OutgoingMail
from tests.conftest import SMTPInbox
from tests.factories import UserFactory

DATABASE_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "ENQUEUE_ON_COMMIT": False,
    }
}


@pytest.fixture
def database_tasks(transactional_db, settings):
    """Use the production task backend; its worker closes connections, so
    the test cannot run inside one transaction."""
    settings.TASKS = DATABASE_TASKS


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")


def queue_lock_notice(user):
    return queue_mail(
        to=[user.email],
        template="accounts/mail/password_changed",
        context={"user": user, "login_url": "http://127.0.0.1:8000/"},
    )


def test_mail_reaches_a_real_smtp_server(db, smtp_server):
    user = UserFactory()

    mail = queue_lock_notice(user)

    (message,) = smtp_server.wait_for(1)
    assert message["To"] == user.email
    assert message["Subject"] == "Ihr Passwort wurde geändert"
    mail.refresh_from_db()
    assert mail.sent_at is not None


def test_request_succeeds_while_smtp_is_down(client, smtp_port, database_tasks):
    UserFactory(login_id="10000001")

    response = client.post(reverse("accounts:password_reset"), {"login_id": "10000001"})
    run_worker()

    assert response.status_code == 302
    mail = OutgoingMail.objects.get()
    assert mail.sent_at is None
    assert mail.attempts == 1
    assert mail.last_error


def test_mail_waits_for_smtp_and_goes_out_once(smtp_port, database_tasks, time_machine):
    user = UserFactory()
    queue_lock_notice(user)
    run_worker()
    run_worker()

    inbox = SMTPInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        time_machine.move_to(timezone.now() + timedelta(minutes=2))
        run_worker()
        time_machine.move_to(timezone.now() + timedelta(hours=3))
        run_worker()
        call_command("send_queued_mail")
        run_worker()
    finally:
        controller.stop()

    assert len(inbox.messages) == 1
    mail = OutgoingMail.objects.get()
    assert mail.sent_at is not None
    assert mail.attempts == 2


def test_retries_pause_longer_each_time(smtp_port, database_tasks, time_machine):
    from django_tasks_db.models import DBTaskResult

    queue_lock_notice(UserFactory())
    run_worker()
    first_retry = DBTaskResult.objects.ready().count()
    time_machine.move_to(timezone.now() + timedelta(minutes=1, seconds=5))
    run_worker()

    assert first_retry == 0
    assert OutgoingMail.objects.get().attempts == 2
    assert DBTaskResult.objects.ready().count() == 0


def test_sent_mail_is_never_sent_again(db, smtp_server):
    mail = queue_lock_notice(UserFactory())
    smtp_server.wait_for(1)

    call_command("send_queued_mail")

    assert len(smtp_server.messages) == 1
    mail.refresh_from_db()
    assert mail.attempts == 1
