from django.contrib import admin

from courses.models import Course, Enrollment


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "starts_at", "venue", "capacity", "is_published"]
    list_filter = ["format", "is_published", "selection_mode"]
    search_fields = ["number", "title"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["target_career_groups"]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["course", "user", "status", "waitlist_position", "created_at"]
    list_filter = ["status"]
    search_fields = ["course__number", "user__login_id", "user__last_name"]
    list_select_related = ["course", "user"]
    raw_id_fields = ["course", "user"]
