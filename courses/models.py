from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_REGISTRATION_CLOSES_BEFORE = timedelta(weeks=6)
DEFAULT_SHORT_NOTICE_DAYS = 14


class CourseQuerySet(models.QuerySet):
    def published(self):
        """Return the courses shown in the public catalogue."""
        return self.filter(is_published=True)

    def upcoming(self, *, now=None):
        """Return courses that have not ended yet."""
        return self.filter(ends_at__gte=now or timezone.now())


class Course(models.Model):
    """A Bildungsmaßnahme: one training event with dates, place and places."""

    class Format(models.TextChoices):
        IN_PERSON = "praesenz", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")
        BLENDED = "blended", _("Blended learning")
        E_LEARNING = "e_learning", _("E-learning")

    class SelectionMode(models.TextChoices):
        FIRST_COME = "first_come", _("First come, first served")
        BY_OFFICE = "by_office", _("Chosen by the Fortbildungsreferat")

    number = models.CharField(_("number"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    organizer = models.CharField(_("organizer"), max_length=200, blank=True)
    format = models.CharField(
        _("format"), max_length=20, choices=Format, default=Format.IN_PERSON
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    target_audience = models.CharField(_("target audience"), max_length=500, blank=True)
    target_career_groups = models.ManyToManyField(
        "orgunits.CareerGroup",
        verbose_name=_("target career groups"),
        blank=True,
        related_name="courses",
        help_text=_("Leave empty to open the course to every career group."),
    )

    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    registration_opens_at = models.DateTimeField(
        _("registration opens at"), null=True, blank=True
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes at"),
        blank=True,
        help_text=_("Defaults to six weeks before the start."),
    )
    short_notice_days = models.PositiveSmallIntegerField(
        _("short-notice period (days)"),
        default=DEFAULT_SHORT_NOTICE_DAYS,
        help_text=_(
            "Cancellations within this many days before the start are reported "
            "to the Fortbildungsreferat."
        ),
    )
    selection_mode = models.CharField(
        _("selection mode"),
        max_length=20,
        choices=SelectionMode,
        default=SelectionMode.FIRST_COME,
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    canceled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["starts_at", "number"]
        indexes = [models.Index(fields=["is_published", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")),
                name="course_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        if self.registration_closes_at is None and self.starts_at is not None:
            self.registration_closes_at = (
                self.starts_at - DEFAULT_REGISTRATION_CLOSES_BEFORE
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("courses:course_detail", kwargs={"number": self.number})

    @property
    def short_notice_starts_at(self):
        return self.starts_at - timedelta(days=self.short_notice_days)

    def has_started(self, *, now=None):
        return (now or timezone.now()) >= self.starts_at

    def is_registration_open(self, *, now=None):
        now = now or timezone.now()
        if self.canceled_at is not None or not self.is_published:
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return now <= self.registration_closes_at


class Enrollment(models.Model):
    """A person's Anmeldung to a course, with its status."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        ADMITTED = "admitted", _("admitted")
        WAITLISTED = "waitlisted", _("waiting list")
        CANCELED = "canceled", _("cancelled")
        REJECTED = "rejected", _("rejected")
        COURSE_CANCELED = "course_canceled", _("course cancelled")
        ATTENDED = "attended", _("attended")

    # Statuses that hold a place or a waiting-list position.
    ACTIVE_STATUSES = (Status.REGISTERED, Status.ADMITTED, Status.WAITLISTED)
    # Statuses that take one of the course's places.
    SEATED_STATUSES = (Status.REGISTERED, Status.ADMITTED, Status.ATTENDED)

    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.REGISTERED
    )
    waitlist_position = models.PositiveIntegerField(
        _("waiting-list position"), null=True, blank=True
    )
    # Snapshots for statistics that survive an anonymisation of the account.
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("org unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    career_group = models.ForeignKey(
        "orgunits.CareerGroup",
        verbose_name=_("career group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    canceled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    canceled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["course__starts_at", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "user"],
                condition=Q(status__in=["registered", "admitted", "waitlisted"]),
                name="enrollment_one_active_per_user_and_course",
            ),
            models.UniqueConstraint(
                fields=["course", "waitlist_position"],
                condition=Q(status="waitlisted"),
                name="enrollment_unique_waitlist_position",
            ),
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self):
        return f"{self.course.number} – {self.user_id} ({self.get_status_display()})"
