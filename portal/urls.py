from django.contrib import admin
from django.urls import include, path

from portal.views import HomeView, health

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("health/", health, name="health"),
    path("konto/", include("accounts.urls")),
    path("veranstaltungen/", include("courses.urls")),
    path("verwaltung/", admin.site.urls),
    path("", include("pages.urls")),
]

handler500 = "pages.views.server_error"
