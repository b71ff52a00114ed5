from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.admin_access import AccountAccessAdminMixin
from accounts.models import AuditEntry, User
from accounts.roles import accounts_in_scope


class AccountCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["login_id", "email"]


class AccountChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = [
            "login_id",
            "personnel_number",
            "first_name",
            "last_name",
            "email",
            "phone",
            "ministry",
            "service_office",
            "career_group",
            "org_unit",
            "is_active",
            "must_reset_password",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        ]


@admin.register(User)
class UserAdmin(AccountAccessAdminMixin, BaseUserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    ordering = ["last_name", "first_name", "login_id"]
    list_display = [
        "login_id",
        "last_name",
        "first_name",
        "ministry",
        "org_unit",
        "is_active",
    ]
    list_filter = ["is_active", "is_staff", "must_reset_password", "ministry"]
    search_fields = ["login_id", "last_name", "first_name", "email", "personnel_number"]
    list_select_related = [
        "ministry",
        "org_unit__service_office",
        "org_unit__career_group",
    ]
    autocomplete_fields = ["service_office", "org_unit"]
    fieldsets = [
        (None, {"fields": ["login_id", "password"]}),
        (
            _("Personal data"),
            {
                "fields": [
                    "personnel_number",
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                ]
            },
        ),
        (
            _("Organisation"),
            {"fields": ["ministry", "service_office", "career_group", "org_unit"]},
        ),
        (
            _("Status"),
            {"fields": ["is_active", "must_reset_password", "anonymised_at"]},
        ),
        (
            _("Permissions"),
            {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "login_id",
                    "email",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
    readonly_fields = ["anonymised_at", "last_login", "date_joined"]

    def get_queryset(self, request):
        # Every admin route (list, change, history, delete, actions,
        # autocomplete) goes through here: the Ressort scope holds for all.
        return accounts_in_scope(request.user, super().get_queryset(request))


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["action", "target_id"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
