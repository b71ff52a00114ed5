"""Keep passwords, tokens and personal data out of logs and error reports.

Three layers:

* Views that take such data are decorated with ``HIDE_IN_ERROR_REPORTS``:
  an error report then shows neither the submitted values nor any local
  variable of the view or of anything it calls.
* Tokens travel in some addresses (password reset, sign-up and e-mail
  confirmation links). ``redact_path`` replaces every long token-like path
  segment; the log filter below applies it to every log record of the
  portal, the gunicorn logger to the access log, and the exception reporter
  to the address shown in an error report.
* Services never log personal data, only ids (``extra={"user_id": ...}``).
"""

import copy
import logging
import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

# Everything posted and every local variable below the view is hidden.
HIDE_IN_ERROR_REPORTS = [sensitive_post_parameters(), sensitive_variables()]

REDACTED = "[redacted]"
# A path segment of 20 or more letters, digits, "-", "_" or ":" is a token
# (reset tokens, signed confirmation data), unless it is made of lower-case
# words and hyphens only, as the portal's own page names are
# ("meine-bildungsmassnahmen"). Course numbers and hashed static file names
# (which contain dots) are shorter or do not match.
_END = r"(?=[/?#\s'\"]|$)"
TOKEN_SEGMENT = re.compile(rf"(?<=/)(?![a-z\-]+{_END})[A-Za-z0-9_:\-]{{20,}}{_END}")
PATH_META_KEYS = ("PATH_INFO", "REQUEST_URI", "RAW_URI", "SCRIPT_URL")


def redact_path(text):
    return TOKEN_SEGMENT.sub(REDACTED, text)


class RedactTokensFilter(logging.Filter):
    """Replace tokens in the message of every record (e.g. the address in
    django.request's "Internal Server Error: <path>")."""

    def filter(self, record):
        message = record.getMessage()
        redacted = redact_path(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class PortalExceptionReporterFilter(SafeExceptionReporterFilter):
    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        for key in PATH_META_KEYS:
            if isinstance(meta.get(key), str):
                meta[key] = redact_path(meta[key])
        return meta


class PortalExceptionReporter(ExceptionReporter):
    """Django's report without tokens in the address and without the name
    of the signed-in person (an account's str() is its full name)."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if data.get("request") is not None:
            # The report's title shows the path of the request.
            shown = copy.copy(data["request"])
            shown.path = redact_path(shown.path)
            shown.path_info = redact_path(shown.path_info)
            data["request"] = shown
        if isinstance(data.get("request_insecure_uri"), str):
            data["request_insecure_uri"] = redact_path(data["request_insecure_uri"])
        if data.get("user_str") is not None:
            user_id = getattr(getattr(self.request, "user", None), "pk", None)
            data["user_str"] = f"account {user_id}" if user_id else "anonymous"
        return data
