import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.generic import TemplateView

from pages.views import server_error as fault_page

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait while the database is away, e.g. during
# a restart or a failover.
DATABASE_RETRY_AFTER = 30


class HomeView(TemplateView):
    template_name = "home.html"


def csrf_failure(request, reason=""):
    """Explain a failed CSRF check in German, in the portal's layout."""
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """Answer an unhandled failure; a lost database is a temporary one.

    Django calls this handler inside its exception handler, so the failure
    is at hand. While PostgreSQL restarts or fails over, every query fails
    with an operational or interface error: the person gets a German page
    asking to try again shortly, with status 503, rendered without the
    database. Anything else is the portal's ordinary 500 page.
    """
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return fault_page(request)

    logger.warning("Database unavailable", extra={"error": type(error).__name__})
    response = HttpResponse(
        render_to_string(
            "503.html",
            {"training_office_email": settings.PORTAL_TRAINING_OFFICE_EMAIL},
        ),
        status=503,
    )
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


def health(request):
    """Answer a load balancer: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return HttpResponse(
            "database unavailable", status=503, content_type="text/plain"
        )
    return HttpResponse("ok", content_type="text/plain")


def bench_ceiling(request):
    """Answer without the database: the fastest page of this stack.

    The benchmark compares every page with this one. It runs through the
    whole middleware chain; only `PORTAL_BENCH_ENDPOINTS` switches it on.
    """
    return HttpResponse("ok", content_type="text/plain")
