"""The mail worker against a real SMTP server that fails: nothing is lost.

Each test runs the production worker (``manage.py db_worker`` with the
portal's settings) as a separate process on the test database, as it runs
in its own container, and an aiosmtpd server on 127.0.0.1 that is away,
stalls or accepts.
"""

import asyncio
import collections
import os
import subprocess
import sys
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.mail import queue_mail
from accounts.models import OutgoingMail
from courses.models import Enrollment
from tests.conftest import SMTPInbox
from tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    UserFactory,
    WaitlistedFactory,
)
from tests.production import ROOT, database_url
from tests.test_mail_outbox import DATABASE_TASKS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


class MailWorker:
    """``manage.py db_worker`` in its own process, sending to one port."""

    def __init__(self, smtp_port, log_path):
        self.env = {
            **os.environ,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "w" * 60,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url(),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": "30",
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.log_path = log_path
        self.process = None

    def manage(self, *arguments):
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def start(self):
        """Start as the worker container does: pick up what was left, then
        work the queue."""
        self.manage("send_queued_mail")
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--interval",
                "0.1",
                "--no-startup-delay",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def worker(smtp_port, database_tasks, tmp_path):
    worker = MailWorker(smtp_port, tmp_path / "worker.log")
    yield worker
    worker.stop()


class StallingInbox(SMTPInbox):
    """An SMTP server that holds its first transaction at one step.

    At "RCPT" the mail has not been accepted yet; at "DATA" it has been
    received but the sender has not heard back.
    """

    def __init__(self, stall_at):
        super().__init__()
        self.stall_at = stall_at
        self.stalled = threading.Event()
        self.released = threading.Event()

    async def stall(self, step):
        if step != self.stall_at or self.stalled.is_set():
            return
        self.stalled.set()
        while not self.released.is_set():
            await asyncio.sleep(0.05)

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802 - aiosmtpd API
        await self.stall("RCPT")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        answer = await super().handle_DATA(server, session, envelope)
        await self.stall("DATA")
        return answer


def serve_smtp(handler, port):
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def wait_until(condition, *, timeout=30, what="the condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def all_mail_sent():
    return not OutgoingMail.objects.filter(sent_at__isnull=True).exists()


def let_time_pass():
    """Make every waiting retry due, as the minutes of a real outage would."""
    waiting().update(run_after=timezone.now())


def waiting():
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY)


def test_mail_of_an_smtp_outage_goes_out_once_it_is_back(client, smtp_port, worker):
    resetting = UserFactory.create_batch(2)
    course = CourseFactory(capacity=1)
    leaving = EnrollmentFactory(course=course)
    next_in_line = WaitlistedFactory(course=course)
    worker.start()

    answers = [
        client.post(reverse("accounts:password_reset"), {"login_id": u.login_id})
        for u in resetting
    ]
    client.force_login(leaving.user)
    answers.append(
        client.post(
            reverse("courses:enrollment_cancel", args=[leaving.pk]), {"reason": ""}
        )
    )
    wait_until(
        lambda: not OutgoingMail.objects.filter(attempts=0).exists(),
        what="a first, failed attempt at every mail",
    )
    during_outage = list(OutgoingMail.objects.values_list("sent_at", flat=True))
    inbox = SMTPInbox()
    controller = serve_smtp(inbox, smtp_port)
    try:
        let_time_pass()
        wait_until(all_mail_sent, what="every mail to be sent")
        let_time_pass()
        call_command("send_queued_mail")
        wait_until(lambda: not waiting().exists(), what="every retry to be done")
    finally:
        controller.stop()

    assert [answer.status_code for answer in answers] == [302, 302, 302]
    next_in_line.refresh_from_db()
    assert next_in_line.status == Enrollment.Status.ADMITTED
    assert len(during_outage) == 4
    assert set(during_outage) == {None}
    received = collections.Counter(
        (message["To"], message["Subject"]) for message in inbox.messages
    )
    queued = collections.Counter(
        (mail.recipients[0], mail.subject) for mail in OutgoingMail.objects.all()
    )
    assert received == queued
    assert set(received.values()) == {1}


def queue_one_mail():
    user = UserFactory()
    return queue_mail(
        to=[user.email],
        template="accounts/mail/password_changed",
        context={"user": user, "login_url": "http://127.0.0.1:8000/"},
    )


def test_worker_killed_while_sending_loses_no_mail(smtp_port, worker):
    inbox = StallingInbox(stall_at="RCPT")
    controller = serve_smtp(inbox, smtp_port)
    try:
        mail = queue_one_mail()
        worker.start()
        assert inbox.stalled.wait(timeout=30)
        worker.kill()
        inbox.released.set()
        mail.refresh_from_db()
        left_behind = (mail.sent_at, mail.attempts)

        worker.start()
        wait_until(all_mail_sent, what="the mail to be sent after the restart")
        time.sleep(1)
    finally:
        controller.stop()

    assert left_behind == (None, 0)
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["To"] == mail.recipients[0]


def test_mail_accepted_just_before_the_kill_goes_out_again(smtp_port, worker):
    inbox = StallingInbox(stall_at="DATA")
    controller = serve_smtp(inbox, smtp_port)
    try:
        mail = queue_one_mail()
        worker.start()
        assert inbox.stalled.wait(timeout=30)
        worker.kill()
        inbox.released.set()

        worker.start()
        wait_until(all_mail_sent, what="the mail to be sent after the restart")
        time.sleep(1)
    finally:
        controller.stop()

    # At least once: the server had the mail, the worker never heard so.
    assert len(inbox.messages) == 2
    mail.refresh_from_db()
    assert mail.attempts == 1


def test_send_queued_mail_brings_a_waiting_retry_forward(smtp_port, database_tasks):
    queue_one_mail()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    retry = waiting().get()

    call_command("send_queued_mail")

    assert waiting().get().pk == retry.pk
    assert waiting().get().run_after <= timezone.now() < retry.run_after


def test_send_queued_mail_redelivers_a_mail_whose_worker_died(database_tasks):
    mail = queue_one_mail()
    waiting().update(status=TaskResultStatus.RUNNING, started_at=timezone.now())

    call_command("send_queued_mail")

    assert [task.args_kwargs["args"] for task in waiting()] == [[mail.pk]]
