import logging
import sys
import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from pages.views import server_error as fault_page
from portal.middleware import SESSION_RENEWED_KEY, session_seconds_left

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait while the database is away, e.g. during
# a restart or a failover.
DATABASE_RETRY_AFTER = 30


class HomeView(TemplateView):
    template_name = "home.html"


@require_POST
def extend_session(request):
    """Start the idle window of the session anew, as any page would.

    The session warning's script asks for JSON and stays on its page, so
    nothing typed there is lost; without script the form comes back to the
    page it was sent from. A session that has ended already cannot be
    extended: the answer says so (401) and the person logs in again.
    """
    wants_json = "application/json" in request.headers.get("Accept", "")
    if not request.user.is_authenticated:
        if wants_json:
            return JsonResponse({"expires_in": 0}, status=401)
        return redirect_to_login(request.POST.get("next") or "/")
    request.session[SESSION_RENEWED_KEY] = time.time()
    if wants_json:
        return JsonResponse({"expires_in": session_seconds_left(request)})
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    return HttpResponseRedirect(next_url)


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
