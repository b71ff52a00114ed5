from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from pages.models import AccessibilityFeedback, SignLanguageVideo


@admin.register(SignLanguageVideo)
class SignLanguageVideoAdmin(admin.ModelAdmin):
    list_display = ["title", "position", "duration", "size", "is_published"]
    list_editable = ["position", "is_published"]
    fields = [
        "title",
        "description",
        "file",
        "captions",
        "duration",
        "position",
        "is_published",
    ]

    @admin.display(description=_("file size"), ordering="file_size")
    def size(self, video):
        return filesizeformat(video.file_size)


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "page_url", "name", "email"]
    date_hierarchy = "created_at"
    search_fields = ["page_url", "message"]
    readonly_fields = ["created_at", "page_url", "message", "name", "email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
