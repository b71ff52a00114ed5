"""Settings of the Bildungsportal, read from the environment.

Every value an operator may change comes from an environment variable with a
default that is safe for a local run. Production (``DJANGO_DEBUG`` off)
refuses to start without a real secret key and explicit allowed hosts.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name, default=(), separator=","):
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(separator) if item.strip()]
    return items or list(default)


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production needs a long random secret "
            "key; set DJANGO_DEBUG=true only for a local development run."
        )
    SECRET_KEY = "django-insecure-local-development-only-never-in-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS is not set. List the host names the portal is "
        "served under, separated by commas."
    )

# The public address of the portal. Every link in a mail is built from it,
# never from the Host header of a request.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PORTAL_TRAINING_OFFICE_EMAIL = os.environ.get(
    "PORTAL_TRAINING_OFFICE_EMAIL", "fortbildung@example.org"
)
# The benchmark's reference page (bench/), off unless a benchmark asks.
PORTAL_BENCH_ENDPOINTS = env_bool("PORTAL_BENCH_ENDPOINTS")

# The operator named on Impressum, Datenschutz and the accessibility
# statement. Addresses are lines separated by ";". The defaults are examples;
# production sets the real names and addresses.
PORTAL_OPERATOR_NAME = os.environ.get(
    "PORTAL_OPERATOR_NAME", "Musterbehörde des Landes Baden-Württemberg"
)
PORTAL_OPERATOR_ADDRESS = env_list(
    "PORTAL_OPERATOR_ADDRESS", ["Musterstraße 1", "70173 Stuttgart"], separator=";"
)
PORTAL_OPERATOR_REPRESENTATIVE = os.environ.get("PORTAL_OPERATOR_REPRESENTATIVE", "")
PORTAL_OPERATOR_EMAIL = os.environ.get(
    "PORTAL_OPERATOR_EMAIL", PORTAL_TRAINING_OFFICE_EMAIL
)
PORTAL_OPERATOR_PHONE = os.environ.get("PORTAL_OPERATOR_PHONE", "")
PORTAL_CONTENT_RESPONSIBLE = os.environ.get("PORTAL_CONTENT_RESPONSIBLE", "")
PORTAL_PRIVACY_OFFICER = env_list(
    "PORTAL_PRIVACY_OFFICER",
    ["Datenschutzbeauftragte der Musterbehörde", "datenschutz@example.org"],
    separator=";",
)
# Feedback on the accessibility statement goes to this address.
PORTAL_ACCESSIBILITY_FEEDBACK_EMAIL = os.environ.get(
    "PORTAL_ACCESSIBILITY_FEEDBACK_EMAIL", PORTAL_OPERATOR_EMAIL
)
PORTAL_ACCESSIBILITY_STATEMENT_DATE = os.environ.get(
    "PORTAL_ACCESSIBILITY_STATEMENT_DATE", "2026-12-04"
)
PORTAL_CONCILIATION_BODY = env_list(
    "PORTAL_CONCILIATION_BODY",
    [
        "Landeszentrum Barrierefreiheit Baden-Württemberg (LZ-BARR)",
        "Schlichtungsstelle",
        "Else-Josenhans-Straße 6",
        "70173 Stuttgart",
    ],
    separator=";",
)

INSTALLED_APPS = [
    # The admin with its site replaced by one that asks staff for a second
    # factor (accounts.admin_site.PortalAdminSite).
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "orgunits",
    "accounts",
    "courses",
    "pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's auth middleware, with the account read with the session.
    "accounts.middleware.SessionAccountMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.SessionLifetimeMiddleware",
    "portal.middleware.NoStoreForSignedInMiddleware",
    # Must stay last: it turns failed logins into lockouts.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
            # portal is the project package, not an app: its tags are named.
            "libraries": {
                "portal_fragments": "portal.templatetags.portal_fragments",
            },
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get(
            "DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}"
        ),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A local run serves parallel requests too: writers take the lock at the
    # start of a transaction and wait for it instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Form choices are read with QuerySet.iterator(); on PostgreSQL that would
# declare a server-side cursor, three round trips for a dozen rows. Also
# required behind a PgBouncer in transaction mode.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    # Parameters sent apart from the SQL, and a statement a connection has
    # sent five times prepared: PostgreSQL then plans it once per connection
    # instead of on every request (a quarter of a millisecond of the
    # server's time for the session or the places of a catalogue page).
    # Behind a PgBouncer in transaction mode that needs version 1.21 or
    # later with max_prepared_statements set, or this switched off. The
    # cursor survives a column's type changing under a kept plan (portal.db).
    from portal.db import PreparedStatementCursor

    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "server_side_binding": True,
            "prepare_threshold": 5,
            "cursor_factory": PreparedStatementCursor,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked login id before any password check.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.LoginIdBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "courses:course_list"
LOGOUT_REDIRECT_URL = "home"

PASSWORD_HASHERS = [
    "accounts.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator",
        "OPTIONS": {
            "user_attributes": (
                "login_id",
                "personnel_number",
                "first_name",
                "last_name",
                "email",
            )
        },
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PORTAL_PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions live in the database so that any number of app instances can run.
# They end after 30 idle minutes and after 12 hours at most. The idle window
# is renewed once a minute at most, not on every request: a database write
# per page view would cost more than the page (portal.middleware.
# SessionLifetimeMiddleware).
SESSION_ENGINE = "portal.sessions"
SESSION_COOKIE_AGE = env_int("PORTAL_SESSION_IDLE_SECONDS", 30 * 60)
PORTAL_SESSION_RENEW_SECONDS = env_int("PORTAL_SESSION_RENEW_SECONDS", 60)
PORTAL_SESSION_MAX_SECONDS = env_int("PORTAL_SESSION_MAX_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(
    os.environ.get("PORTAL_STATIC_ROOT", BASE_DIR / "var" / "staticfiles")
)
KERN_PACKAGE_DIR = BASE_DIR / "node_modules" / "@kern-ux" / "native"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("kern", KERN_PACKAGE_DIR / "dist"),
    ("kern/themes", KERN_PACKAGE_DIR / "src" / "scss" / "themes" / "examples"),
]
# Uploads (the sign-language videos) are served by the portal itself, see
# pages.views.sign_language_video; several app instances need a shared volume.
MEDIA_ROOT = Path(os.environ.get("PORTAL_MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "media/"
PORTAL_VIDEO_MAX_BYTES = env_int("PORTAL_VIDEO_MAX_MB", 500) * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Bildungsportal <bildungsportal@example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks (the mail outbox) live in the database. They are written
# in the transaction of the change that causes them, not after its commit.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "ENQUEUE_ON_COMMIT": False,
    }
}

# Lockout (django-axes). Failures are counted per normalised Nutzerkennung,
# never per IP address alone: many employees share one address of the state
# network.
AXES_FAILURE_LIMIT = env_int("PORTAL_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("PORTAL_LOCKOUT_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns when addresses are not part of the key. Here that is deliberate:
# one shared address must never lock thousands of colleagues out.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from_request"
AXES_RESET_ON_SUCCESS = True
# No row per successful login: nothing reads axes' access log, and a login
# costs one write fewer. Failed attempts are still recorded.
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address"]
# Behind PORTAL_PROXY_COUNT trusted proxies the client address is taken from
# X-Forwarded-For, counted from the right; entries further left are the
# client's own invention (accounts.lockout.client_ip_address).
PORTAL_PROXY_COUNT = env_int("PORTAL_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip_address"
AXES_HANDLER = "accounts.lockout.PortalAxesHandler"
# A lock ends a fixed time after it began: attempts during it neither count
# nor prolong it, so the lockout page can say when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The third lock within a day lasts until an officer unlocks the account or
# its owner completes "Kennwort vergessen".
PORTAL_LOCKOUT_ESCALATE_AFTER = env_int("PORTAL_LOCKOUT_ESCALATE_AFTER", 3)
PORTAL_LOCKOUT_ESCALATION_HOURS = env_int("PORTAL_LOCKOUT_ESCALATION_HOURS", 24)
# One address of the state network serves thousands of employees: it is
# throttled only far above the per-account limit, within the same window.
PORTAL_IP_FAILURE_LIMIT = env_int("PORTAL_IP_FAILURE_LIMIT", 200)

# "Kennwort vergessen" links expire after two hours; sign-up confirmation
# links after three days. Requests for such mails are rate-limited per hour.
PASSWORD_RESET_TIMEOUT = env_int("PORTAL_PASSWORD_RESET_SECONDS", 2 * 60 * 60)
PORTAL_SIGNUP_CONFIRM_SECONDS = env_int(
    "PORTAL_SIGNUP_CONFIRM_SECONDS", 3 * 24 * 60 * 60
)
PORTAL_RECOVERY_LIMIT_PER_ACCOUNT = env_int("PORTAL_RECOVERY_LIMIT_PER_ACCOUNT", 3)
PORTAL_RECOVERY_LIMIT_PER_IP = env_int("PORTAL_RECOVERY_LIMIT_PER_IP", 30)
# Wrong answers to "current password" within a session, per hour and account.
PORTAL_CURRENT_PASSWORD_LIMIT = env_int("PORTAL_CURRENT_PASSWORD_LIMIT", 5)
# Accessibility feedback mails the operator; limited per hour and address.
PORTAL_FEEDBACK_LIMIT_PER_IP = env_int("PORTAL_FEEDBACK_LIMIT_PER_IP", 10)

# Audit entries (logins, locks, resets, role changes, ...) are kept this long;
# the worker's daily task purges older ones (accounts.audit).
PORTAL_AUDIT_RETENTION_DAYS = env_int("PORTAL_AUDIT_RETENTION_DAYS", 180)

# Second factor (django-otp): TOTP apps show the portal's name beside the
# Nutzerkennung; wrong tokens slow further attempts down exponentially.
OTP_TOTP_ISSUER = "Bildungsportal"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# No inline script or style anywhere: everything comes from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
# Error reports hide tokens in addresses as well (portal.redaction).
DEFAULT_EXCEPTION_REPORTER = "portal.redaction.PortalExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "portal.redaction.PortalExceptionReporterFilter"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("PORTAL_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("PORTAL_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix makes browsers refuse these cookies unless they are
    # secure, host-only and valid for the whole site.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if env_bool("PORTAL_BEHIND_TLS_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"redact_tokens": {"()": "portal.redaction.RedactTokensFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}
