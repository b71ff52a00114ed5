from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "home.html"


def csrf_failure(request, reason=""):
    """Explain a failed CSRF check in German, in the portal's layout."""
    return render(request, "403_csrf.html", status=403)


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
