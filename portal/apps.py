from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """The Django admin, served by the portal's own admin site."""

    default_site = "accounts.admin_site.PortalAdminSite"
