"""Cross-cutting request handling that belongs to no single app."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import add_never_cache_headers

SESSION_STARTED_KEY = "portal_session_started_at"
SESSION_RENEWED_KEY = "portal_session_renewed_at"
# How long before the end of a session the page warns and offers to extend.
SESSION_WARNING_SECONDS = 5 * 60


def session_seconds_left(request):
    """Return the seconds until the signed-in session ends, idle or not."""
    session = request.session
    now = time.time()
    ends_at = min(
        session.get(SESSION_RENEWED_KEY, now) + settings.SESSION_COOKIE_AGE,
        session.get(SESSION_STARTED_KEY, now) + settings.PORTAL_SESSION_MAX_SECONDS,
    )
    return max(0, int(ends_at - now))


def session_warning_seconds():
    """Warn five minutes ahead, or halfway through a shorter session."""
    return min(SESSION_WARNING_SECONDS, settings.SESSION_COOKIE_AGE // 2)


class SessionLifetimeMiddleware:
    """Renew the idle window of a session; end it after the maximum lifetime.

    A session ends ``SESSION_COOKIE_AGE`` seconds after it was last renewed.
    Renewing means writing the session row and sending the cookie again, so
    it happens only once ``PORTAL_SESSION_RENEW_SECONDS`` have passed since
    the last renewal, not on every request: the idle timeout then lies
    between the cookie age minus that interval and the cookie age. The
    maximum lifetime caps the total length however active the session is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if request.user.is_authenticated:
            now = time.time()
            started_at = session.setdefault(SESSION_STARTED_KEY, now)
            if now - started_at > settings.PORTAL_SESSION_MAX_SECONDS:
                logout(request)
            elif now - session.get(SESSION_RENEWED_KEY, 0) >= (
                settings.PORTAL_SESSION_RENEW_SECONDS
            ):
                # Marks the session modified: saved, and the cookie sent anew.
                session[SESSION_RENEWED_KEY] = now
        response = self.get_response(request)
        # A session saved anyway, as at login, has its window renewed too.
        if session.modified and request.user.is_authenticated:
            now = time.time()
            session.setdefault(SESSION_STARTED_KEY, now)
            session[SESSION_RENEWED_KEY] = now
        return response


class NoStoreForSignedInMiddleware:
    """Keep pages shown to a signed-in person out of every cache.

    Such pages carry personal data; a shared computer's browser cache or an
    intermediate proxy must not keep them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
