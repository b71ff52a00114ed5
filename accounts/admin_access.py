"""Admin tools for getting employees back in: lock status, unlock, reset.

Mixed into the account admin. The actions receive only accounts of the
admin's scoped queryset, so ids of another Ressort posted by hand are
never acted on.
"""

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.lockout import unlock_account
from accounts.models import LoginLock
from accounts.recovery import force_password_reset
from accounts.roles import holds_every_right_of


def locks_of_account(**filters):
    return LoginLock.objects.in_force().filter(
        login_key=Lower(OuterRef("login_id")), **filters
    )


class LockStatusFilter(admin.SimpleListFilter):
    title = _("lock")
    parameter_name = "lock"

    def lookups(self, request, model_admin):
        return [("locked", _("locked")), ("unlocked", _("not locked"))]

    def queryset(self, request, queryset):
        if self.value() == "locked":
            return queryset.filter(is_locked=True)
        if self.value() == "unlocked":
            return queryset.filter(is_locked=False)
        return queryset


class AccountAccessAdminMixin:
    actions = ["unlock_accounts", "force_password_reset"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                is_locked=Exists(locks_of_account()),
                is_locked_lasting=Exists(locks_of_account(locked_until__isnull=True)),
            )
        )

    def get_list_display(self, request):
        return [*super().get_list_display(request), "lock_status"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), LockStatusFilter]

    def has_unlock_permission(self, request):
        return request.user.has_perm("accounts.unlock_user")

    def has_force_password_reset_permission(self, request):
        return request.user.has_perm("accounts.force_password_reset")

    @admin.display(description=_("lock"), ordering="is_locked")
    def lock_status(self, obj):
        if not getattr(obj, "is_locked", False):
            return "–"
        if obj.is_locked_lasting:
            return _("locked until unlocked")
        return _("locked for a while")

    @admin.action(description=_("Unlock"), permissions=["unlock"])
    def unlock_accounts(self, request, queryset):
        unlocked = sum(
            unlock_account(actor=request.user, user=user) for user in queryset
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d account unlocked.",
                "%(count)d accounts unlocked.",
                unlocked,
            )
            % {"count": unlocked},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Force a password reset"), permissions=["force_password_reset"]
    )
    def force_password_reset(self, request, queryset):
        count = 0
        # Locking someone out until a mail reset is power over that account:
        # only over accounts that hold no right the officer lacks.
        for user in (u for u in queryset if holds_every_right_of(request.user, u)):
            force_password_reset(actor=request.user, user=user)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d account must set a new password with “Kennwort "
                "vergessen” before the next login.",
                "%(count)d accounts must set a new password with “Kennwort "
                "vergessen” before the next login.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
