"""`make bench`: measure the portal on PostgreSQL and gunicorn.

    python -m bench.run [--seconds 15] [--connections 8] [--threads 1]

Builds the data sets once, counts queries in-process at 1% and 100%,
serves the full set with the Dockerfile's command, drives each page with
wrk, repeats the search on the 1% set, runs the enrolment burst and writes
docs/benchmarks.md. Nothing here is a test: it prints figures and targets.
"""

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from bench import load, report
from bench.environment import (
    DEFAULT_PORT,
    HOST,
    PYTHON,
    ROOT,
    database_url,
    portal_env,
)
from bench.generate import marker

DOCS = ROOT / "docs" / "benchmarks.md"


def log(message):
    print(f"== {message}", file=sys.stderr, flush=True)


def dockerfile_command():
    """Return the Dockerfile's CMD, with gunicorn from this virtualenv."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    command = json.loads(re.search(r"^CMD (\[.*\])$", text, re.M).group(1))
    command[0] = str(Path(PYTHON).parent / command[0])
    return command


def python(module, *args, env):
    completed = subprocess.run(  # noqa: S603
        [PYTHON, "-m", module, *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
    )
    return completed.stdout


def _gunicorn_max_requests():
    """Return gunicorn's max_requests as the image's configuration sets it."""
    from portal import gunicorn_config

    return gunicorn_config.max_requests


class Server:
    """gunicorn started as the image starts it, with a memory sampler."""

    def __init__(self, *, url, port, workers, cookies):
        # The production cookie names (__Host-…), as the probe read them.
        self.cookies = cookies
        self.env = portal_env(url=url, port=port, workers=workers)
        self.base = f"http://{HOST}:{port}"
        self.origin = f"https://{HOST}:{port}"
        self.port = port
        self.peak_kib = {}
        self._stop = threading.Event()

    def __enter__(self):
        self.log = (ROOT / "var" / "bench-gunicorn.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            dockerfile_command(),
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while self.request("GET", "/health/")[0] != 200:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("gunicorn did not start; see var/bench-gunicorn.log")
            time.sleep(0.3)
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.sampler.join()
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()

    def workers(self):
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def memory_kib(self, pid):
        """Return (current, peak) resident memory of a process in KiB."""
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return None
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if "VmRSS" not in fields:
            # A worker that has just exited (a zombie) has no memory left.
            return None
        return (
            int(fields["VmRSS"].split()[0]),
            int(fields["VmHWM"].split()[0]),
        )

    def _sample(self):
        # Workers are replaced after max_requests; sampling often catches
        # each one's peak before it goes.
        while not self._stop.wait(0.25):
            for pid in self.workers():
                memory = self.memory_kib(pid)
                if memory:
                    self.peak_kib[pid] = max(self.peak_kib.get(pid, 0), memory[1])

    def request(self, method, path, *, body="", cookie=""):
        headers = {"X-Forwarded-Proto": "https", "Host": f"{HOST}:{self.port}"}
        if cookie:
            headers["Cookie"] = cookie
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        except OSError:
            return None, [], b""

    def csrf(self):
        """Return the cookies to send (as name=value) and the CSRF form token.

        The cookies are the CSRF cookie of the login page and, by name only,
        the session cookie: a function of the session key.
        """
        status, headers, body = self.request("GET", "/konto/anmelden/")
        prefix = f"{self.cookies['csrf']}="
        cookie = next(
            value.split(";", 1)[0]
            for name, value in headers
            if name.lower() == "set-cookie" and value.startswith(prefix)
        )
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        return cookie, token.group(1).decode(), self.cookies["session"]


def wrk_items(page, csrf):
    """Return (path, body, cookie) triples with the CSRF pair filled in."""
    csrf_cookie, csrf_token, session_cookie = csrf
    items = []
    for request in page["requests"]:
        cookies = []
        body = request["body"]
        if page["method"] == "POST":
            cookies.append(csrf_cookie)
            body = "&".join(filter(None, [body, f"csrfmiddlewaretoken={csrf_token}"]))
        if request["session"]:
            cookies.append(f"{session_cookie}={request['session']}")
        items.append((request["path"], body, "; ".join(cookies)))
    return items


def measure(server, page, csrf, args):
    """Check the page answers as expected, then warm it up and measure it."""
    items = wrk_items(page, csrf)
    path, body, cookie = items[0]
    status = server.request(page["method"], path, body=body, cookie=cookie)[0]
    if status != page["expect"]:
        return {"failure": f"answered {status}, expected {page['expect']}"}
    # Pages that change data get separate requests for warm-up and run.
    if len(items) > 2:
        split = len(items) // 5
        warmup_items, run_items = items[1:split], items[split:]
    else:
        warmup_items = run_items = items
    connections = page.get("connections") or args.connections
    options = {
        "base_url": server.base,
        "method": page["method"],
        "connections": connections,
        "threads": args.threads,
        "origin": server.origin,
    }
    load.run_wrk(items=warmup_items, seconds=args.warmup, **options)
    figures = load.run_wrk(items=run_items, seconds=args.seconds, **options)
    return {
        "rps": figures.rps,
        "p50_ms": figures.p50_ms,
        "p95_ms": figures.p95_ms,
        "p99_ms": figures.p99_ms,
        "errors": figures.errors,
        "requests": figures.requests,
        "connections": page.get("connections"),
    }


def machine():
    def first(pattern, text, default="unknown"):
        found = re.search(pattern, text, re.M)
        return found.group(1).strip() if found else default

    import django
    import gunicorn
    import psycopg

    cpuinfo = Path("/proc/cpuinfo").read_text()
    meminfo = Path("/proc/meminfo").read_text()
    os_release = Path("/etc/os-release").read_text()
    with psycopg.connect(database_url()) as conn:
        postgresql = conn.execute("SELECT version()").fetchone()[0].split(" on ")[0]
    wrk_version = subprocess.run(  # noqa: S603
        [shutil.which("wrk"), "--version"], capture_output=True, text=True
    ).stdout.split(" [")[0]
    return {
        "cpu": first(r"^model name\s*:(.*)$", cpuinfo),
        "cores": os.cpu_count(),
        "memory_gib": int(first(r"^MemTotal:\s*(\d+)", meminfo, "0")) / 1024**2,
        "os": first(r'^PRETTY_NAME="?([^"\n]*)', os_release),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "postgresql": postgresql,
        "wrk": wrk_version.strip() or "wrk",
        "load_before": ", ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15, help="per page")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn's")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--output", type=Path, default=DOCS)
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    started_at = datetime.now().astimezone()

    log("data sets")
    python("bench.generate", "--small", env=os.environ)
    python("bench.generate", env=os.environ)
    full_url, small_url = database_url(), database_url(small=True)
    full_marker, small_marker = marker(full_url), marker(small_url)
    machine_before = machine()

    log("static files")
    (ROOT / "var").mkdir(exist_ok=True)
    env = portal_env(url=full_url, port=args.port, workers=args.workers)
    subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )

    log("queries per page at 1% and 100%")
    small = json.loads(
        python(
            "bench.probe",
            "--last-enrollment-id",
            str(small_marker["last_enrollment_id"]),
            env=portal_env(url=small_url, port=args.port),
        )
    )
    full = json.loads(
        python(
            "bench.probe",
            "--argon2",
            "--last-enrollment-id",
            str(full_marker["last_enrollment_id"]),
            env=env,
        )
    )
    small_queries = {page["name"]: page.get("queries") for page in small["pages"]}

    log("pages on the full data set")
    pages = []
    argon2_after_login = None
    with Server(
        url=full_url, port=args.port, workers=args.workers, cookies=full["cookies"]
    ) as server:
        csrf = server.csrf()
        for page in full["pages"]:
            entry = {
                key: page.get(key)
                for key in ("name", "method", "available", "reason", "target_share")
            }
            if page["available"]:
                log(page["name"])
                entry["queries_full"] = page["queries"]
                entry["queries_small"] = small_queries.get(page["name"])
                entry.update(measure(server, page, csrf, args))
                if page["name"].startswith("login POST"):
                    # The raw hash timed right after the logins, under the
                    # same load from elsewhere on the machine: a reference
                    # taken minutes earlier compares two different machines.
                    argon2_after_login = json.loads(
                        python("bench.probe", "--argon2-only", env=env)
                    )
            else:
                log(f"{page['name']}: not available ({page['reason']})")
            pages.append(entry)
        workers_at_end = server.workers()
        final_kib = [server.memory_kib(pid) for pid in workers_at_end]
        peak_kib = dict(server.peak_kib)
        for pid, memory in zip(workers_at_end, final_kib, strict=True):
            if memory:
                peak_kib[pid] = max(peak_kib.get(pid, 0), memory[1])
        workers = len(workers_at_end)

    ceiling = next(
        (
            entry
            for entry, page in zip(pages, full["pages"], strict=True)
            if page["ceiling"]
        ),
        None,
    )
    for entry in pages:
        if ceiling and ceiling.get("rps") and entry.get("rps") is not None:
            entry["share"] = entry["rps"] / ceiling["rps"]

    log("search on the 1% data set")
    search_sizes = None
    search = next((p for p in small["pages"] if p["compare_sizes"]), None)
    search_full = next(
        (entry for entry in pages if entry["name"] == (search or {}).get("name")),
        None,
    )
    if search and search["available"] and search_full and search_full.get("rps"):
        with Server(
            url=small_url,
            port=args.port,
            workers=args.workers,
            cookies=small["cookies"],
        ) as server:
            figures = measure(server, search, server.csrf(), args)
        if figures.get("rps"):
            search_sizes = {
                "small_rps": figures["rps"],
                "full_rps": search_full["rps"],
            }

    log("burst of enrolments")
    burst = json.loads(python("bench.burst", env=env))

    login = next((p for p in pages if p["name"].startswith("login POST")), None)
    results = {
        "run": {
            "started_at": started_at.strftime("%Y-%m-%d %H:%M %Z"),
            "seconds": args.seconds,
            "warmup": args.warmup,
            "connections": args.connections,
            "threads": args.threads,
            "workers": workers,
        },
        "machine": machine_before,
        "dataset": _dataset_text(full_marker, small_marker),
        "pages": pages,
        "search_sizes": search_sizes,
        "argon2": argon2_after_login or full.get("argon2"),
        "login_p50_ms": login.get("p50_ms") if login else None,
        "rss": {
            "peak_mib": max(peak_kib.values(), default=0) / 1024,
            "final_mib": [m[0] / 1024 for m in final_kib if m],
            "processes": len(peak_kib),
            "max_requests": _gunicorn_max_requests(),
        },
        "burst": burst,
    }
    generated = report.render(results)
    report.write(args.output, generated)
    (ROOT / "var" / "bench-results.json").write_text(json.dumps(results, indent=2))
    print(generated)
    log(f"written to {args.output}")


def _dataset_text(full, small):
    return (
        f"{full['accounts']:,} accounts, {full['courses']:,} courses, "
        f"{full['enrollments']:,} enrolments (seed {full['seed']}); 1% variant "
        f"{small['accounts']:,} / {small['courses']:,} / {small['enrollments']:,}"
    )


if __name__ == "__main__":
    main()
