"""The database goes away: a German "please try again" page, then recovery.

The restart test starts a private PostgreSQL server in a temporary
directory (never the machine's shared cluster), runs the image's gunicorn
command against it, and keeps people enrolling and cancelling while the
server stops and starts again. Meanwhile they must get the German "please
try again" page (503), never a traceback; afterwards every worker answers
normally without a restart of its own, and no enrolment or cancellation is
left half done.
"""

import contextlib
import json
import os
import pwd
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.urls import reverse

from tests.production import ROOT, dockerfile_command

PG_BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))

needs_postgresql_suite = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="runs with the PostgreSQL suite (as in CI); it starts a private "
    "PostgreSQL server beside the shared one",
)
needs_server_binaries = pytest.mark.skipif(
    not PG_BINARIES, reason="needs Debian's PostgreSQL server binaries"
)

USERS = 10
CAPACITY = 3
SEED_SCRIPT = """
import json
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from tests.factories import CourseFactory, UserFactory
password = PBKDF2PasswordHasher().encode("{password}", "restartsalt", iterations=1000)
users = UserFactory.create_batch({users})
for user in users:
    user.password = password
    user.save(update_fields=["password"])
courses = CourseFactory.create_batch(2, capacity={capacity})
print(json.dumps({{
    "login_ids": [user.login_id for user in users],
    "courses": [course.number for course in courses],
}}))
"""
PASSWORD = "Neustart-Kennwort-2026"


def free_port_between(low, high):
    for port in random.sample(range(low, high), high - low):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip(f"no free port between {low} and {high}")


class PrivatePostgres:
    """A throwaway PostgreSQL cluster, run as the postgres user if root."""

    def __init__(self):
        self.bin = PG_BINARIES[-1].parent
        self.port = free_port_between(5500, 5600)
        self.dir = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.data = self.dir / "data"
        self.as_user = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root, and there is no postgres user")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/portal"

    def run(self, *command):
        subprocess.run(  # noqa: S603
            [*self.as_user, *command], check=True, capture_output=True, timeout=120
        )

    def pg_ctl(self, *arguments):
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", *arguments)

    def init(self):
        self.run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.start()
        self.run(
            str(self.bin / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "portal",
        )

    def start(self):
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=50"
        )
        self.pg_ctl("-l", str(self.dir / "server.log"), "-o", options, "start")

    def stop(self):
        self.pg_ctl("-m", "fast", "stop")

    def query(self, sql):
        """Run one query with psycopg; return the rows."""
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://")) as db:
            return db.execute(sql).fetchall()

    def remove(self):
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Browser:
    """One person's HTTP client with a cookie jar, speaking to gunicorn."""

    def __init__(self, port):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies = {}

    def request(self, method, path, form=None):
        import http.client

        headers = {"X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            body = urllib.parse.urlencode(form)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read().decode()
        finally:
            conn.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                match = re.match(r"([^=]+)=([^;]*)", value)
                self.cookies[match.group(1)] = match.group(2)
        return response.status, content

    def submit(self, page_path, action_path, **fields):
        """Load a page, take its CSRF token and post a form to the action."""
        status, page = self.request("GET", page_path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            return status, page
        return self.request(
            "POST", action_path, {"csrfmiddlewaretoken": token.group(1), **fields}
        )


@pytest.fixture
def private_postgres():
    server = PrivatePostgres()
    try:
        server.init()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        server.remove()
        pytest.skip(f"cannot start a private PostgreSQL server: {error}")
    yield server
    server.remove()


@pytest.fixture
def portal(private_postgres, tmp_path):
    """Migrate and seed the private database; serve it with gunicorn."""
    port = free_port_between(8170, 8180)
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "z" * 60,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": private_postgres.url,
        "PORTAL_STATIC_ROOT": str(tmp_path / "static"),
        "PORTAL_BEHIND_TLS_PROXY": "true",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "3",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = [sys.executable, "manage.py"]
    for arguments in (["migrate", "-v", "0"], ["collectstatic", "--no-input"]):
        subprocess.run([*manage, *arguments], cwd=ROOT, env=env, check=True)  # noqa: S603
    seed = SEED_SCRIPT.format(password=PASSWORD, users=USERS, capacity=CAPACITY)
    seeded = subprocess.run(  # noqa: S603
        [*manage, "shell", "-c", seed],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    data = json.loads(seeded.stdout.strip().splitlines()[-1])

    command = dockerfile_command()
    command[0] = str(Path(sys.executable).parent / command[0])
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    wait_until_healthy(port, timeout=30)
    yield port, data
    process.terminate()
    process.wait(timeout=20)
    log.close()


def wait_until_healthy(port, *, timeout):
    """Return the seconds until /health/ answers 200; fail after timeout."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            status, _ = Browser(port).request("GET", reverse("health"))
        except OSError:
            status = None
        if status == 200:
            return time.monotonic() - started
        time.sleep(0.2)
    pytest.fail(f"the portal did not recover within {timeout} seconds")


class Load:
    """People enrolling and cancelling in threads; every answer is kept."""

    def __init__(self, port, login_ids, courses):
        self.port = port
        self.courses = courses
        self.answers = []
        self.stopping = threading.Event()
        self.browsers = [self.logged_in(login_id) for login_id in login_ids]
        self.threads = [
            threading.Thread(target=self.person, args=(browser,), daemon=True)
            for browser in self.browsers
        ]

    def logged_in(self, login_id):
        browser = Browser(self.port)
        login = reverse("accounts:login")
        status, _ = browser.submit(login, login, username=login_id, password=PASSWORD)
        assert status == 302, "logging in before the load must work"
        return browser

    def note(self, kind, status, page):
        self.answers.append((time.monotonic(), kind, status, page))

    def count(self, kind, status):
        return sum(1 for _, k, s, _ in self.answers if (k, s) == (kind, status))

    def wait_for(self, kind, status, *, at_least, timeout=60):
        deadline = time.monotonic() + timeout
        while self.count(kind, status) < at_least:
            assert time.monotonic() < deadline, f"no {at_least} × {kind} {status}"
            time.sleep(0.1)

    def person(self, browser):
        while not self.stopping.is_set():
            try:
                self.enrol_and_cancel(browser)
            except OSError as error:
                self.note("connection", 0, repr(error))

    def enrol_and_cancel(self, browser):
        number = random.choice(self.courses)  # noqa: S311
        detail = reverse("courses:course_detail", args=[number])
        status, page = browser.submit(detail, reverse("courses:enroll", args=[number]))
        self.note("enrol", status, page)

        status, page = browser.request("GET", reverse("courses:my_enrollments"))
        self.note("list", status, page)
        cancel_paths = re.findall(r'href="(/[^"]*/stornieren/)"', page)
        if cancel_paths:
            path = random.choice(cancel_paths)  # noqa: S311
            status, page = browser.submit(path, path, reason="Terminkonflikt")
            self.note("cancel", status, page)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)


def assert_no_half_done_changes(server):
    over_capacity = server.query(
        "SELECT c.number FROM courses_course c JOIN courses_enrollment e "
        "ON e.course_id = c.id AND e.status IN ('admitted', 'attended') "
        "GROUP BY c.id HAVING count(*) > c.capacity"
    )
    duplicate_positions = server.query(
        "SELECT course_id, waitlist_position FROM courses_enrollment "
        "WHERE status = 'waitlisted' GROUP BY 1, 2 HAVING count(*) > 1"
    )
    unpromoted = server.query(
        "SELECT c.number FROM courses_course c WHERE "
        "(SELECT count(*) FROM courses_enrollment e WHERE e.course_id = c.id "
        " AND e.status IN ('admitted', 'attended')) < c.capacity "
        "AND EXISTS (SELECT 1 FROM courses_enrollment e WHERE e.course_id = c.id "
        " AND e.status = 'waitlisted')"
    )
    incomplete_cancellations = server.query(
        "SELECT e.id FROM courses_enrollment e WHERE e.status = 'canceled' AND ("
        " e.canceled_at IS NULL OR e.canceled_by_id IS NULL"
        " OR e.waitlist_position IS NOT NULL"
        " OR NOT EXISTS (SELECT 1 FROM accounts_auditentry a"
        "  WHERE a.action = 'enrollment.canceled' AND a.target_id = e.id::text))"
    )
    [(enrolments, enrol_mails, cancellations, cancel_mails)] = server.query(
        "SELECT (SELECT count(*) FROM courses_enrollment),"
        " (SELECT count(*) FROM accounts_outgoingmail"
        "  WHERE template = 'courses/mail/enrolled'),"
        " (SELECT count(*) FROM courses_enrollment WHERE status = 'canceled'),"
        " (SELECT count(*) FROM accounts_outgoingmail"
        "  WHERE template = 'courses/mail/canceled')"
    )

    assert over_capacity == []
    assert duplicate_positions == []
    assert unpromoted == []
    assert incomplete_cancellations == []
    assert enrol_mails == enrolments
    assert cancel_mails == cancellations


@pytest.mark.parametrize(
    "error", [OperationalError("connection refused"), InterfaceError("closed")]
)
def test_lost_database_gets_the_german_503_page(db, settings, error):
    settings.ROOT_URLCONF = "tests.e2e.error_urls"
    client = Client(raise_request_exception=False)

    response = client.get(reverse("test_503"), {"error": type(error).__name__})

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Vorübergehend nicht erreichbar – Bildungsportal" in page
    assert "Bitte versuchen Sie es in einer Minute erneut" in page


def test_other_failures_keep_the_500_page(db, settings):
    settings.ROOT_URLCONF = "tests.e2e.error_urls"
    client = Client(raise_request_exception=False)

    response = client.get(reverse("test_500"))

    assert response.status_code == 500
    assert "Retry-After" not in response


@needs_postgresql_suite
@needs_server_binaries
def test_portal_recovers_from_a_database_restart_under_load(private_postgres, portal):
    port, data = portal
    probe = Browser(port)
    catalogue = reverse("courses:course_list")

    with Load(port, data["login_ids"], data["courses"]) as load:
        load.wait_for("cancel", 302, at_least=5)
        private_postgres.stop()
        outage_page = probe.request("GET", catalogue)
        outage_health = probe.request("GET", reverse("health"))
        time.sleep(1)
        private_postgres.start()
        recovery_seconds = wait_until_healthy(port, timeout=30)
        cancellations_before = load.count("cancel", 302)
        load.wait_for("cancel", 302, at_least=cancellations_before + 5)
    after = [probe.request("GET", catalogue)[0] for _ in range(9)]

    status, page = outage_page
    assert status == 503
    assert "Bitte versuchen Sie es in einer Minute erneut" in page
    assert "Traceback" not in page
    assert outage_health[0] == 503
    assert recovery_seconds < 30
    assert after == [200] * 9
    unexpected = [
        (kind, status, page[:300])
        for _, kind, status, page in load.answers
        if status not in (200, 302)
        and not (status == 503 and "Bitte versuchen Sie es" in page)
    ]
    assert unexpected == []
    assert_no_half_done_changes(private_postgres)
