from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.admin_access import AccountAccessAdminMixin
from accounts.audit_labels import ACTION_LABELS, action_label, target_type_label
from accounts.models import AuditEntry, OrgUnitReview, User
from accounts.permissions import permission_label
from accounts.roles import (
    accounts_in_scope,
    grantable_groups,
    grantable_permissions,
    holds_every_right_of,
    ministries_in_scope,
)
from accounts.services import (
    accounts_needing_org_unit_review,
    anonymise_user,
    change_org_unit,
    export_training_record,
    fitting_org_unit,
    record_password_set_by_admin,
    remove_second_factor,
    training_record,
)
from orgunits.models import OrgUnit, ServiceOffice
from portal.redaction import HIDE_IN_ERROR_REPORTS


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        password = self.fields.get("password")
        if password is not None:
            # Django ties the widget to a hint that its admin renders without
            # the id it refers to; the hint only says passwords are hashed.
            password.help_text = ""


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

    # Django's UserAdmin hides the posted values of its password forms; the
    # change form carries names and addresses, which stay out of reports too.
    @method_decorator(HIDE_IN_ERROR_REPORTS)
    def changeform_view(self, request, *args, **kwargs):
        return super().changeform_view(request, *args, **kwargs)

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

    actions = [
        *AccountAccessAdminMixin.actions,
        "anonymise_accounts",
        "reset_second_factor",
    ]

    def has_change_permission(self, request, obj=None):
        # No one edits an account that holds rights they lack themselves.
        return super().has_change_permission(request, obj) and (
            obj is None or holds_every_right_of(request.user, obj)
        )

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request, id, form_url=""):
        """Let only the operator set a password, and tell its owner.

        Officers never learn or choose someone's password: they force a
        reset, which mails the owner a link. Where the operator sets one,
        the owner is told and the audit trail names who did it.
        """
        if not request.user.is_superuser:
            raise PermissionDenied
        response = super().user_change_password(request, id, form_url)
        succeeded = (
            request.method == "POST"
            and response.status_code == 302
            and response.url != request.get_full_path()
        )
        if succeeded:
            account = self.get_object(request, id)
            record_password_set_by_admin(user=account, actor=request.user)
        return response

    def has_anonymise_permission(self, request):
        return request.user.has_perm("accounts.anonymise_user")

    def has_reset_second_factor_permission(self, request):
        return request.user.has_perm("accounts.reset_second_factor")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly.append("is_superuser")
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Choices and validation both come from these querysets: a submitted
        # form cannot move an account into a Ressort the officer lacks.
        ministries = ministries_in_scope(request.user)
        if db_field.name == "ministry":
            kwargs["queryset"] = ministries
        elif db_field.name == "service_office":
            kwargs["queryset"] = ServiceOffice.objects.filter(ministry__in=ministries)
        elif db_field.name == "org_unit":
            kwargs["queryset"] = OrgUnit.objects.filter(
                service_office__ministry__in=ministries
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups":
            field.queryset = grantable_groups(request.user, field.queryset)
        elif db_field.name == "user_permissions":
            field.queryset = grantable_permissions(request.user, field.queryset)
            field.label_from_instance = permission_label
        return field

    def save_model(self, request, obj, form, change):
        if not (change and "org_unit" in form.changed_data):
            super().save_model(request, obj, form, change)
            return

        # The org unit goes through the service, which records the change.
        new_org_unit = obj.org_unit
        obj.org_unit = OrgUnit.objects.filter(pk=form.initial.get("org_unit")).first()
        super().save_model(request, obj, form, change)
        change_org_unit(user=obj, org_unit=new_org_unit, actor=request.user)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/bildungsnachweis/",
                self.admin_site.admin_view(self.training_record_view),
                name="accounts_user_training_record",
            ),
            *super().get_urls(),
        ]

    def training_record_view(self, request, object_id):
        """Download the person's training record as CSV."""
        account = self.get_object(request, object_id)
        if account is None or not self.has_view_permission(request, account):
            raise Http404
        content = export_training_record(user=account, actor=request.user)
        response = HttpResponse(
            "\ufeff" + content, content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="bildungsnachweis-{account.pk}.csv"'
        )
        return response

    def _accounts_to_act_on(self, request, queryset):
        return [
            account
            for account in queryset.exclude(pk=request.user.pk).filter(
                anonymised_at__isnull=True
            )
            if holds_every_right_of(request.user, account)
        ]

    @admin.action(
        description=_("Anonymise selected accounts"), permissions=["anonymise"]
    )
    def anonymise_accounts(self, request, queryset):
        accounts = self._accounts_to_act_on(request, queryset)
        if not accounts:
            self.message_user(
                request,
                gettext("None of the selected accounts can be anonymised by you."),
                messages.WARNING,
            )
            return None

        if request.POST.get("confirm") == "yes":
            for account in accounts:
                anonymised = anonymise_user(user=account, actor=request.user)
                self.log_change(request, anonymised, gettext("Account anonymised."))
            self.message_user(
                request,
                ngettext(
                    "%(count)d account has been anonymised.",
                    "%(count)d accounts have been anonymised.",
                    len(accounts),
                )
                % {"count": len(accounts)},
                messages.SUCCESS,
            )
            return None

        now = timezone.now()
        rows = [
            {
                "account": account,
                "record_url": reverse(
                    "admin:accounts_user_training_record", args=[account.pk]
                ),
                "past_count": training_record(account).count(),
                "future_count": account.enrollments.filter(
                    status__in=["registered", "admitted", "waitlisted"],
                    course__starts_at__gt=now,
                ).count(),
            }
            for account in accounts
        ]
        return TemplateResponse(
            request,
            "admin/accounts/user/anonymise_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Anonymise accounts"),
                "opts": self.model._meta,
                "rows": rows,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(
        description=_("Reset second factor of selected accounts"),
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request, queryset):
        accounts = self._accounts_to_act_on(request, queryset)
        for account in accounts:
            remove_second_factor(user=account, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "The second factor of %(count)d account has been reset; it is set "
                "up anew at the next login.",
                "The second factors of %(count)d accounts have been reset; they are "
                "set up anew at the next login.",
                len(accounts),
            )
            % {"count": len(accounts)},
            messages.SUCCESS,
        )


class AuditActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return sorted(
            ((code, action_label(code)) for code in ACTION_LABELS),
            key=lambda choice: str(choice[1]),
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail, read-only for everyone; only the retention purges it.

    Only holders of accounts.view_auditentry (the Fortbildungsreferat) see
    it; officers of a Ressort do not, since entries name accounts of every
    Ressort.
    """

    list_display = [
        "created_at",
        "action_column",
        "actor",
        "target_type_column",
        "target_id",
    ]
    list_filter = [AuditActionFilter]
    search_fields = ["action", "target_id"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "action_column",
        "actor",
        "target_type_column",
        "target_id",
        "data",
    ]
    readonly_fields = fields
    actions = None

    @admin.display(description=_("action"), ordering="action")
    def action_column(self, entry):
        return action_label(entry.action)

    @admin.display(description=_("target type"), ordering="target_type")
    def target_type_column(self, entry):
        return target_type_label(entry.target_type)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrgUnitReview)
class OrgUnitReviewAdmin(admin.ModelAdmin):
    """The Fortbildungsreferat's list "Organisationseinheit prüfen"."""

    list_display = [
        "account_link",
        "last_name",
        "first_name",
        "service_office",
        "career_group",
        "org_unit",
        "fitting_org_unit",
    ]
    list_display_links = None
    list_filter = ["ministry", "career_group"]
    search_fields = ["login_id", "last_name", "first_name"]
    list_select_related = [
        "service_office",
        "career_group",
        "org_unit__service_office",
        "org_unit__career_group",
    ]
    fields = [
        "login_id",
        "first_name",
        "last_name",
        "ministry",
        "service_office",
        "career_group",
        "org_unit",
    ]
    actions = ["assign_fitting_org_unit"]

    def get_queryset(self, request):
        accounts = accounts_in_scope(request.user, super().get_queryset(request))
        return accounts_needing_org_unit_review(accounts)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_assign_permission(self, request):
        return request.user.has_perm("accounts.change_orgunitreview")

    @admin.display(description=_("Nutzerkennung"), ordering="login_id")
    def account_link(self, account):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:accounts_user_change", args=[account.pk]),
            account.login_id,
        )

    @admin.display(description=_("fitting org unit"))
    def fitting_org_unit(self, account):
        return fitting_org_unit(
            service_office=account.service_office, career_group=account.career_group
        ) or gettext("none")

    @admin.action(description=_("Assign the fitting org unit"), permissions=["assign"])
    def assign_fitting_org_unit(self, request, queryset):
        assigned = skipped = 0
        for account in queryset.select_related("service_office", "career_group"):
            org_unit = fitting_org_unit(
                service_office=account.service_office,
                career_group=account.career_group,
            )
            if org_unit is None:
                skipped += 1
                continue
            change_org_unit(user=account, org_unit=org_unit, actor=request.user)
            assigned += 1

        self.message_user(
            request,
            gettext(
                "Org unit assigned to %(assigned)d account(s); %(skipped)d without "
                "a fitting org unit need a manual decision."
            )
            % {"assigned": assigned, "skipped": skipped},
            messages.SUCCESS if not skipped else messages.WARNING,
        )


# Devices are managed through the account actions above; the package's own
# admin pages would show every person's device to anyone with the model
# permission, whatever their Ressort.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)
admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(BaseGroupAdmin):
    """Django's group admin with the permissions named in German."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "permissions":
            field.label_from_instance = permission_label
        return field
