"""Request handling of the accounts app."""

from urllib.parse import urlencode

from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts.second_factor import has_second_factor
from portal.sessions import authenticating
from portal.urlcache import cached_reverse


def _get_user(request):
    if not hasattr(request, "_cached_user"):
        with authenticating(request.session):
            request._cached_user = auth.get_user(request)
    return request._cached_user


class SessionAccountMiddleware(AuthenticationMiddleware):
    """Django's authentication, taking the account read with the session.

    ``portal.sessions.SessionStore`` reads a session's account in the same
    statement as the session; ``django.contrib.auth.get_user`` still checks
    everything it checks otherwise (the backend, whether the account may
    sign in, the session hash against a changed password) and reads the
    account itself whenever the session's row did not name it.
    """

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _get_user(request))


class SecondFactorMiddleware:
    """Ask everyone who has set up a second factor for it after login.

    Staff without one are sent to set it up by the admin site; an employee
    who turned it on under "Meine Daten" sees no page before the token.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and self._has_second_factor(user)
            and request.path not in self._open_paths()
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:second_factor_verify')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _has_second_factor(user):
        # Read with the user by accounts.backends.LoginIdBackend.get_user.
        known = getattr(user, "second_factor_at_load", None)
        return has_second_factor(user) if known is None else known

    @staticmethod
    def _open_paths():
        return {
            cached_reverse("accounts:second_factor_verify"),
            cached_reverse("accounts:logout"),
            cached_reverse("admin:logout"),
        }
