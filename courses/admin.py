import csv

from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.roles import is_training_office
from courses.models import Course, Enrollment
from courses.services import (
    EnrollmentError,
    admit_applicants,
    cancel_course,
    cancel_enrollment,
    change_capacity,
    mark_attended,
    reject_applicants,
)

# Spreadsheet programs run cells starting with these as formulas.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value):
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _local(moment):
    if moment is None:
        return ""
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _is_training_office(request):
    # The admin asks for permissions many times a page; ask the database once.
    if not hasattr(request, "_is_training_office"):
        request._is_training_office = is_training_office(request.user)
    return request._is_training_office


class TrainingOfficeOnlyMixin:
    """Courses and participants are the Fortbildungsreferat's business only."""

    def has_module_permission(self, request):
        return _is_training_office(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _is_training_office(request) and super().has_view_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None):
        return _is_training_office(request) and super().has_change_permission(
            request, obj
        )

    def has_add_permission(self, request, *args):
        return _is_training_office(request) and super().has_add_permission(
            request, *args
        )

    def has_delete_permission(self, request, obj=None):
        # Enrolments are history and courses carry them; nothing is deleted.
        return False


@admin.display(description=_("participant"))
def participant(enrollment):
    user = enrollment.user
    return f"{user.get_full_name() or '–'} ({user.login_id})"


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    fk_name = "course"
    verbose_name_plural = _("participants")
    fields = [participant, "status", "waitlist_position", "created_at", "canceled_at"]
    readonly_fields = fields
    ordering = ["status", "waitlist_position", "created_at"]
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Course)
class CourseAdmin(TrainingOfficeOnlyMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "title",
        "starts_at",
        "town",
        "capacity",
        "seats_taken_column",
        "waitlist_column",
        "is_published",
        "is_canceled_column",
    ]
    list_filter = ["format", "is_published", "selection_mode"]
    search_fields = ["number", "title"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["target_career_groups"]
    readonly_fields = ["canceled_at", "created_at"]
    inlines = [EnrollmentInline]
    actions = ["export_participants", "call_off"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_seat_counts()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        # Django shows the date and the time of a moment as two inputs with
        # no label of their own; each gets one naming the field.
        if isinstance(widget, AdminSplitDateTime):
            label = db_field.verbose_name
            date_widget, time_widget = widget.widgets
            date_widget.attrs["aria-label"] = f"{label}: {_('Date')}"
            time_widget.attrs["aria-label"] = f"{label}: {_('Time')}"
        return formfield

    @admin.display(description=_("places taken"), ordering="seats_taken")
    def seats_taken_column(self, course):
        url = reverse("admin:courses_enrollment_changelist")
        return format_html(
            '<a href="{}?course__id__exact={}">{}</a>',
            url,
            course.pk,
            course.seats_taken,
        )

    @admin.display(description=_("waiting list"), ordering="waitlist_length")
    def waitlist_column(self, course):
        return course.waitlist_length

    @admin.display(description=_("called off"), boolean=True)
    def is_canceled_column(self, course):
        return course.is_canceled

    def save_model(self, request, obj, form, change):
        capacity = obj.capacity
        if change and "capacity" in form.changed_data:
            # The new number goes through the service, under the course lock.
            obj.capacity = form.initial["capacity"]
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            promoted = change_capacity(
                course=obj, capacity=capacity, actor=request.user
            )
            if promoted:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d person moved up from the waiting list.",
                        "%(count)d people moved up from the waiting list.",
                        len(promoted),
                    )
                    % {"count": len(promoted)},
                )

    @admin.action(description=_("Export participants as CSV"))
    def export_participants(self, request, queryset):
        enrollments = (
            Enrollment.objects.filter(course__in=queryset)
            .select_related("course", "user", "user__service_office", "career_group")
            .with_waitlist_rank()
            .order_by("course__starts_at", "course__number", "status", "created_at")
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="teilnehmende.csv"'
        # The byte order mark makes spreadsheet programs read UTF-8.
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        writer.writerow(
            [
                _("course number"),
                _("title"),
                _("starts at"),
                _("Nutzerkennung"),
                _("last name"),
                _("first name"),
                _("e-mail address"),
                _("service office"),
                _("career group"),
                _("status"),
                _("waiting-list position"),
                _("registered at"),
                _("cancelled at"),
            ]
        )
        for enrollment in enrollments:
            course, user = enrollment.course, enrollment.user
            row = [
                course.number,
                course.title,
                _local(course.starts_at),
                user.login_id,
                user.last_name,
                user.first_name,
                user.email,
                user.service_office or "",
                enrollment.career_group or "",
                enrollment.get_status_display(),
                enrollment.waitlist_rank if enrollment.waitlist_position else "",
                _local(enrollment.created_at),
                _local(enrollment.canceled_at),
            ]
            writer.writerow([_csv_cell(value) for value in row])
        return response

    @admin.action(description=_("Call off the selected courses"))
    def call_off(self, request, queryset):
        courses = queryset.filter(canceled_at__isnull=True)
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/courses/course/call_off.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Call off courses"),
                    "courses": courses,
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )

        reason = request.POST.get("reason", "").strip()[:1000]
        told = sum(
            cancel_course(course=course, actor=request.user, reason=reason)
            for course in courses
        )
        self.message_user(
            request,
            ngettext(
                "Course called off; %(told)d person told.",
                "Courses called off; %(told)d people told.",
                told,
            )
            % {"told": told},
        )
        return None


@admin.register(Enrollment)
class EnrollmentAdmin(TrainingOfficeOnlyMixin, admin.ModelAdmin):
    list_display = [
        "course",
        participant,
        "status",
        "waitlist_rank_column",
        "created_at",
        "canceled_at",
    ]
    list_filter = ["status", "course__selection_mode"]
    search_fields = ["course__number", "user__login_id", "user__last_name"]
    list_select_related = ["course", "user"]
    # Status changes go through the actions, which keep the rules.
    fields = [
        "course",
        "user",
        "status",
        "waitlist_position",
        "org_unit",
        "career_group",
        "created_at",
        "canceled_at",
        "canceled_by",
        "cancel_reason",
    ]
    readonly_fields = fields
    actions = ["admit", "reject", "attended", "cancel"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_waitlist_rank()

    def has_add_permission(self, request, *args):
        return False

    @admin.display(description=_("waiting-list position"), ordering="waitlist_rank")
    def waitlist_rank_column(self, enrollment):
        return enrollment.waitlist_rank if enrollment.waitlist_position else None

    def _run(self, request, service, **kwargs):
        try:
            return service(actor=request.user, **kwargs)
        except EnrollmentError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None

    @admin.action(description=_("Admit the selected applicants"))
    def admit(self, request, queryset):
        result = self._run(request, admit_applicants, enrollments=queryset)
        if result is None:
            return
        admitted, refused = result
        self.message_user(
            request,
            _("%(admitted)d admitted, %(refused)d refused for lack of places.")
            % {"admitted": len(admitted), "refused": len(refused)},
            messages.WARNING if refused else messages.SUCCESS,
        )

    @admin.action(description=_("Reject the selected applicants"))
    def reject(self, request, queryset):
        rejected = self._run(request, reject_applicants, enrollments=queryset)
        if rejected is not None:
            self.message_user(
                request, _("%(count)d rejected.") % {"count": len(rejected)}
            )

    @admin.action(description=_("Mark the selected participants as attended"))
    def attended(self, request, queryset):
        changed = self._run(request, mark_attended, enrollments=queryset)
        if changed is not None:
            self.message_user(
                request, _("%(count)d marked as attended.") % {"count": changed}
            )

    @admin.action(description=_("Cancel the selected registrations"))
    def cancel(self, request, queryset):
        changed = 0
        for enrollment in queryset.select_related("course"):
            result = self._run(request, cancel_enrollment, enrollment=enrollment)
            changed += bool(result)
        self.message_user(request, _("%(count)d cancelled.") % {"count": changed})
