"""Where the benchmark's databases are and how its processes are configured."""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bildungsportal_bench"
# Fixed, so that sessions made by the probe are valid in gunicorn. The bench
# databases hold generated data only; this key protects nothing real.
SECRET_KEY = "bench-only-secret-key-" + "0123456789abcdef" * 3
HOST = "127.0.0.1"
# The seed of the generated data set: the same seed, the same data.
SEED = 20260501
DEFAULT_PORT = 8150


def database_url(*, small=False):
    """Return the URL of the full data set, or of its 1% variant."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    if not small:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path + "_small"))


def database_name(url):
    return urlsplit(url).path.lstrip("/")


def maintenance_url(url):
    """Return the URL of the server's `postgres` database, to create others."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def portal_env(*, url, port=DEFAULT_PORT, workers=None):
    """Return the environment of a production process on a bench database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DATABASE_URL": url,
        "PORTAL_BASE_URL": f"https://{HOST}:{port}",
        "PORTAL_BEHIND_TLS_PROXY": "true",
        "PORTAL_STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        "PORTAL_BENCH_ENDPOINTS": "true",
        "HOST": HOST,
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    return env


def setup_django():
    """Configure Django from the environment the orchestrator passed on."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    django.setup()
