"""Start the portal as the container image does, for tests against it.

The Dockerfile's CMD runs in a subprocess with production settings on the
test database, so that headers, cookies, static files and several instances
are seen as production serves them.
"""

import contextlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def dockerfile_command():
    match = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.M)
    return json.loads(match.group(1))


def database_url():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{db['USER'] or ''}@{db['HOST'] or 'localhost'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_environment(tmp_path, **overrides):
    """The environment of a production instance, its static files collected."""
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(),
        "PORTAL_STATIC_ROOT": str(tmp_path / "static"),
        "PORTAL_BEHIND_TLS_PROXY": "true",
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "1",
        **overrides,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("PORTAL_SSL_REDIRECT", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return env


def _wait_until_answering(port, deadline):
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("GET", "/health/", headers={"X-Forwarded-Proto": "https"})
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()


@contextlib.contextmanager
def serving(env, ports, log_dir):
    """Run one instance per port with the image's command; yield the ports."""
    command = dockerfile_command()
    command[0] = str(Path(sys.executable).parent / command[0])
    logs = [(log_dir / f"gunicorn-{port}.log").open("wb") for port in ports]
    processes = [
        subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env={**env, "PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for port, log in zip(ports, logs, strict=True)
    ]
    try:
        deadline = time.monotonic() + 30
        for port in ports:
            _wait_until_answering(port, deadline)
        yield ports
    finally:
        for process, log in zip(processes, logs, strict=True):
            process.terminate()
            process.wait(timeout=20)
            log.close()
