"""The portal's URLs plus routes that fail on purpose, for the error pages."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.db import InterfaceError, OperationalError
from django.urls import path

from portal.urls import handler500
from portal.urls import urlpatterns as portal_urlpatterns
from portal.views import csrf_failure


def bad_request(request):
    raise BadRequest


def permission_denied(request):
    raise PermissionDenied


def server_error(request):
    raise RuntimeError("deliberate failure for the error page test")


def database_unavailable(request):
    if request.GET.get("error") == "InterfaceError":
        raise InterfaceError("connection already closed")
    raise OperationalError("deliberate: the database is away")


urlpatterns = [
    *portal_urlpatterns,
    path("test-fehler/400/", bad_request, name="test_400"),
    path("test-fehler/403/", permission_denied, name="test_403"),
    path("test-fehler/500/", server_error, name="test_500"),
    path("test-fehler/503/", database_unavailable, name="test_503"),
    path("test-fehler/csrf/", csrf_failure, name="test_csrf"),
]

__all__ = ["handler500", "urlpatterns"]
