from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

VIDEO_EXTENSIONS = ["mp4", "webm"]


def validate_video_size(file):
    if file.size > settings.PORTAL_VIDEO_MAX_BYTES:
        raise ValidationError(
            _("The video is larger than %(limit)s MB."),
            code="video_too_large",
            params={"limit": settings.PORTAL_VIDEO_MAX_BYTES // (1024 * 1024)},
        )


class SignLanguageVideoQuerySet(models.QuerySet):
    def published(self):
        """Return the videos shown on the sign-language page, in order."""
        return self.filter(is_published=True).order_by("position", "pk")


class SignLanguageVideo(models.Model):
    """A video in Deutsche Gebärdensprache, uploaded by the operator."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("What the video explains, in a sentence or two."),
    )
    file = models.FileField(
        _("video file"),
        upload_to="gebaerdensprache/",
        validators=[
            FileExtensionValidator(VIDEO_EXTENSIONS),
            validate_video_size,
        ],
        help_text=_("MP4 or WebM."),
    )
    file_size = models.PositiveBigIntegerField(_("file size"), editable=False)
    captions = models.FileField(
        _("captions"),
        upload_to="gebaerdensprache/",
        blank=True,
        validators=[FileExtensionValidator(["vtt"])],
        help_text=_("WebVTT file, needed when the video has sound."),
    )
    duration = models.DurationField(
        _("duration"), help_text=_("Length of the video, e.g. 00:03:20.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = SignLanguageVideoQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-language video")
        verbose_name_plural = _("sign-language videos")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.file_size = self.file.size
        super().save(*args, **kwargs)

    @property
    def duration_minutes(self):
        return int(self.duration.total_seconds()) // 60

    @property
    def duration_seconds(self):
        return int(self.duration.total_seconds()) % 60

    @property
    def mime_type(self):
        return "video/webm" if self.file.name.endswith(".webm") else "video/mp4"


class AccessibilityFeedback(models.Model):
    """A barrier reported through the form of the accessibility statement."""

    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    page_url = models.CharField(
        _("page concerned"),
        max_length=500,
        blank=True,
        help_text=_("The address or the name of the page, if you know it."),
    )
    message = models.TextField(_("your message"), max_length=5000)
    name = models.CharField(_("your name"), max_length=200, blank=True)
    email = models.EmailField(
        _("your e-mail address"),
        blank=True,
        help_text=_("Only if you would like an answer."),
    )

    class Meta:
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} ({self.pk})"
