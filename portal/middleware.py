"""Cross-cutting request handling that belongs to no single app."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import add_never_cache_headers

SESSION_STARTED_KEY = "portal_session_started_at"


class SessionLifetimeMiddleware:
    """End sessions that are older than the absolute maximum lifetime.

    The idle timeout comes from the session cookie age, renewed on every
    request; this caps the total length however active the session is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started_at = request.session.setdefault(SESSION_STARTED_KEY, time.time())
            if time.time() - started_at > settings.PORTAL_SESSION_MAX_SECONDS:
                logout(request)
        return self.get_response(request)


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
