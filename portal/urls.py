from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from portal.views import HomeView, bench_ceiling, extend_session, health

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("health/", health, name="health"),
    path("konto/sitzung-verlaengern/", extend_session, name="session_extend"),
    path("konto/", include("accounts.urls")),
    path("veranstaltungen/", include("courses.urls")),
    # Staff change their own password where everyone does, which asks for
    # the current one, tells the owner and records it.
    path(
        "verwaltung/password_change/",
        RedirectView.as_view(pattern_name="accounts:password_change"),
    ),
    path("verwaltung/", admin.site.urls),
    path("", include("pages.urls")),
]

if settings.PORTAL_BENCH_ENDPOINTS:
    urlpatterns.append(path("bench/ceiling/", bench_ceiling, name="bench_ceiling"))

handler500 = "portal.views.server_error"
