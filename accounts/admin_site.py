"""The admin site: staff reach it only with a verified second factor."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.audit import acting_as
from accounts.second_factor import has_second_factor


class PortalAdminSite(admin.AdminSite):
    site_header = _("Bildungsportal – administration")
    site_title = _("Bildungsportal administration")
    index_title = _("Administration")
    # The side bar repeats the index on every page, and its toggle is a
    # button without a type; the breadcrumbs and the index lead everywhere.
    enable_nav_sidebar = False

    def has_permission(self, request):
        # Staff hold power over other people's data: a password alone is not
        # enough to act on it.
        return super().has_permission(request) and request.user.is_verified()

    def admin_view(self, view, cacheable=False):
        # Role changes saved in the admin are recorded by signal receivers,
        # which learn from here who made them.
        @wraps(view)
        def view_as_actor(request, *args, **kwargs):
            with acting_as(request.user):
                return view(request, *args, **kwargs)

        return super().admin_view(view_as_actor, cacheable)

    def login(self, request, extra_context=None):
        user = request.user
        if user.is_active and user.is_staff and not user.is_verified():
            next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
                "admin:index", current_app=self.name
            )
            step = (
                "accounts:second_factor_verify"
                if has_second_factor(user)
                else "accounts:second_factor_setup"
            )
            return redirect(f"{reverse(step)}?{urlencode({'next': next_url})}")
        return super().login(request, extra_context)
