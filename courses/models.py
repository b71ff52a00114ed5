from datetime import timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.urlcache import cached_reverse

DEFAULT_REGISTRATION_CLOSES_BEFORE = timedelta(weeks=6)
DEFAULT_SHORT_NOTICE_DAYS = 14


# The full-text configuration on PostgreSQL; migration 0004 stores the same
# vector in the column the search reads.
SEARCH_CONFIG = "german"
SEARCH_FIELDS = ("number", "title", "description")


def _choice_label(choices, value):
    """Return the label of a choice, or the value itself when it has none.

    What Django's get_FOO_display() returns, without building a dictionary
    of every (lazily translated) choice on each call: lists show it per row.
    """
    try:
        return choices(value).label
    except ValueError:
        return value


def _case_variants(word):
    # SQLite compares only ASCII letters without regard to case, so "übung"
    # would miss "Übung"; German capitalises nouns, which covers most searches.
    return {word, word.lower(), word.upper(), word.capitalize()}


class CourseQuerySet(models.QuerySet):
    def published(self):
        """Return the courses shown in the public catalogue."""
        return self.filter(is_published=True)

    def upcoming(self, *, now=None):
        """Return courses that have not ended yet."""
        return self.filter(ends_at__gte=now or timezone.now())

    def search(self, term):
        """Return courses matching every word of the term.

        PostgreSQL uses German full-text search, so that "Vernehmungen" finds
        "Vernehmung"; a match on part of the number or title counts as well,
        for compound words. Other databases match each word as a substring.
        """
        words = term.split()
        if not words:
            return self
        if connection.vendor == "postgresql":
            partial = Q()
            for word in words:
                partial &= Q(number__icontains=word) | Q(title__icontains=word)
            # search_document holds the vector of SEARCH_FIELDS, stored by
            # migration 0004: no course's text is parsed while searching.
            document = RawSQL(
                "search_document @@ websearch_to_tsquery(%s::regconfig, %s)",
                (SEARCH_CONFIG, term),
                output_field=models.BooleanField(),
            )
            return self.filter(Q(document) | partial)

        condition = Q()
        for word in words:
            any_field = Q()
            for variant in _case_variants(word):
                for field in SEARCH_FIELDS:
                    any_field |= Q(**{f"{field}__contains": variant})
            condition &= any_field
        return self.filter(condition)

    def open_to_career_group(self, career_group):
        """Return courses open to the group: aimed at it or at everyone."""
        targets = Course.target_career_groups.through.objects.filter(
            course=OuterRef("pk")
        )
        return self.filter(
            ~Exists(targets) | Exists(targets.filter(careergroup=career_group))
        )

    def catalogue(
        self,
        *,
        q="",
        date_from=None,
        date_to=None,
        format="",
        town="",
        career_group=None,
        free_only=False,
    ):
        """Apply the catalogue's search and filters; dates are Berlin dates.

        The places taken are joined only to filter by them; the catalogue
        reads them for the courses it shows (courses.catalogue).
        """
        courses = self.search(q) if q else self
        if date_from:
            courses = courses.filter(starts_at__date__gte=date_from)
        if date_to:
            courses = courses.filter(starts_at__date__lte=date_to)
        if format:
            courses = courses.filter(format=format)
        if town:
            courses = courses.filter(town=town)
        if career_group is not None:
            courses = courses.open_to_career_group(career_group)
        if free_only:
            courses = courses.with_seat_counts().filter(seats_taken__lt=F("capacity"))
        return courses

    def with_seat_counts(self):
        """Annotate the places taken and the length of the waiting list.

        Read from the course's CoursePlaces, which the database keeps.
        """
        return self.annotate(
            seats_taken=Coalesce(F("places__seated"), 0),
            waitlist_length=Coalesce(F("places__waiting"), 0),
        )


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
        indexes = [
            # The catalogue shows courses not yet ended: a few hundred among
            # years of past ones. There is deliberately no index on the start
            # for the catalogue's order: PostgreSQL walked it through every
            # past course to find the first twenty upcoming ones, a cost that
            # grew with each year; now it takes the upcoming courses by this
            # index and sorts those.
            models.Index(fields=["is_published", "ends_at"]),
        ]
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
        return cached_reverse("courses:course_detail", self.number)

    def get_format_display(self):
        return _choice_label(self.Format, self.format)

    @property
    def short_notice_starts_at(self):
        return self.starts_at - timedelta(days=self.short_notice_days)

    @property
    def is_canceled(self):
        return self.canceled_at is not None

    @property
    def is_chosen_by_office(self):
        return self.selection_mode == self.SelectionMode.BY_OFFICE

    def has_started(self, *, now=None):
        return (now or timezone.now()) >= self.starts_at

    def is_short_notice(self, *, now=None):
        """Return whether a cancellation now falls into the notice period."""
        return (now or timezone.now()) >= self.short_notice_starts_at

    def is_registration_open(self, *, now=None):
        now = now or timezone.now()
        if self.is_canceled or not self.is_published or self.has_started(now=now):
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return now <= self.registration_closes_at

    def is_open_to(self, user):
        """Return whether the user's career group may take part."""
        groups = self.target_career_groups.all()
        if not groups:
            return True
        return user.career_group_id in {group.pk for group in groups}

    def count_seats_taken(self):
        """Count the places taken, from the annotation when there is one."""
        if hasattr(self, "seats_taken"):
            return self.seats_taken
        return self.enrollments.filter(status__in=Enrollment.SEATED_STATUSES).count()

    def count_waitlisted(self):
        """Count the waiting list, from the annotation when there is one."""
        if hasattr(self, "waitlist_length"):
            return self.waitlist_length
        return self.enrollments.filter(status=Enrollment.Status.WAITLISTED).count()

    @property
    def free_places(self):
        return max(self.capacity - self.count_seats_taken(), 0)

    @property
    def places_text(self):
        """Say how many places are free, or how long the waiting list is."""
        if self.is_canceled:
            return _("Called off")
        if free := self.free_places:
            return ngettext(
                "%(counter)s place free", "%(counter)s places free", free
            ) % {"counter": free}
        if waiting := self.count_waitlisted():
            return ngettext(
                "Fully booked, %(counter)s person on the waiting list",
                "Fully booked, %(counter)s people on the waiting list",
                waiting,
            ) % {"counter": waiting}
        return _("Fully booked, waiting list open")


class EnrollmentQuerySet(models.QuerySet):
    def active(self):
        """Return enrolments holding a place, an application or a position."""
        return self.filter(status__in=Enrollment.ACTIVE_STATUSES)

    def waitlisted(self):
        """Return the waiting list in its order."""
        return self.filter(status=Enrollment.Status.WAITLISTED).order_by(
            "waitlist_position"
        )

    def with_waitlist_rank(self):
        """Annotate the place on the waiting list as the person sees it.

        Positions are handed out in order and never renumbered, so that
        cancellations need no mass update; the rank counts who is ahead.
        """
        ahead = (
            Enrollment.objects.filter(
                course=OuterRef("course"),
                status=Enrollment.Status.WAITLISTED,
                waitlist_position__lte=OuterRef("waitlist_position"),
            )
            .order_by()
            .values("course")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(
            waitlist_rank=Coalesce(Subquery(ahead), 0),
        )


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
    # Statuses that take one of the course's places. "registered" is an
    # application to a course whose participants the Fortbildungsreferat
    # chooses; it holds no place until the office admits it.
    SEATED_STATUSES = (Status.ADMITTED, Status.ATTENDED)
    # Statuses the person may still cancel.
    CANCELABLE_STATUSES = ACTIVE_STATUSES

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

    objects = EnrollmentQuerySet.as_manager()

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
        indexes = [
            models.Index(fields=["user", "status"]),
            # Counts places and waiting lists per course from the index alone.
            models.Index(fields=["course", "status"]),
        ]

    def __str__(self):
        return f"{self.course.number} – {self.user_id} ({self.get_status_display()})"

    def get_status_display(self):
        return _choice_label(self.Status, self.status)

    @property
    def status_text(self):
        """The status as the person reads it, with the waiting-list rank."""
        rank = getattr(self, "waitlist_rank", None)
        if self.status == self.Status.WAITLISTED and rank:
            return _("waiting list (position %(rank)s)") % {"rank": rank}
        return self.get_status_display()

    def get_cancel_url(self):
        return cached_reverse("courses:enrollment_cancel", self.pk)

    @property
    def is_active(self):
        return self.status in self.ACTIVE_STATUSES

    @property
    def is_seated(self):
        return self.status in self.SEATED_STATUSES

    def cancel_refusal(self, *, now=None):
        """Return why the person cannot cancel, or "" when they can."""
        if self.status == self.Status.CANCELED:
            return _("Already cancelled")
        if self.status == self.Status.COURSE_CANCELED:
            return _("The course was called off")
        if self.status == self.Status.REJECTED:
            return _("Not admitted")
        if self.status == self.Status.ATTENDED:
            return _("Attended")
        if self.course.has_started(now=now):
            return _("The course has begun")
        return ""

    def is_short_notice_cancellation(self, *, now=None):
        """Return whether cancelling now gives up a place at short notice."""
        return (
            self.is_active
            and self.status != self.Status.WAITLISTED
            and self.course.is_short_notice(now=now)
        )

    def can_cancel(self, *, now=None):
        return not self.cancel_refusal(now=now)


class CatalogueRevision(models.Model):
    """A number that grows with every write to what the catalogue lists.

    Database triggers (migration 0007) raise it in the same transaction as
    each insert, update or delete of a course, of a course's target career
    groups and of a career group, whichever way the write is made: admin,
    service, ``QuerySet.update()`` or SQL. Whoever reads it sees the data
    that belongs to it, so a list kept under a revision (courses.catalogue)
    is exactly as current as the revision. There is one row; a database
    emptied by ``flush`` gets it back with its next write, and until then
    nothing is kept. On PostgreSQL the numbers come from a sequence and
    never repeat (migration 0008).
    """

    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("catalogue revision")
        verbose_name_plural = _("catalogue revisions")

    def __str__(self):
        return str(self.value)

    @classmethod
    def current(cls):
        """Return the revision the database holds now, or None if none."""
        return cls.objects.filter(pk=1).values_list("value", flat=True).first()


class CoursePlaces(models.Model):
    """A course's places taken and waiting list, counted by the database.

    Triggers on the enrolments (migration 0009) keep the counts in the same
    transaction as every insert, update or delete of an enrolment, whichever
    way it is made; a course gets its row when it is created. An enrolment
    locks this row together with its course and reads the counts it needs
    from it, instead of counting the course's enrolments in a statement of
    its own; the catalogue reads the places of twenty courses by their keys
    instead of counting a thousand enrolments.
    """

    course = models.OneToOneField(
        Course,
        verbose_name=_("course"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="places",
    )
    # Enrollment.SEATED_STATUSES
    seated = models.PositiveIntegerField(_("places taken"), default=0, db_default=0)
    waiting = models.PositiveIntegerField(_("waiting list"), default=0, db_default=0)
    # Positions are handed out in order and never twice.
    last_position = models.PositiveIntegerField(
        _("last waiting-list position"), default=0, db_default=0
    )

    class Meta:
        verbose_name = _("places of a course")
        verbose_name_plural = _("places of courses")

    def __str__(self):
        return f"{self.course_id}: {self.seated} / {self.waiting}"

    @classmethod
    @transaction.atomic
    def count_anew(cls):
        """Count every course's places from its enrolments; return the changes.

        For a database written with the triggers switched off (a restore
        with ``--disable-triggers``). The rows are locked while counting, so
        enrolments wait; last positions never go down, so that none is
        handed out twice.
        """
        kept = {
            places.course_id: places
            for places in cls.objects.select_for_update().order_by("pk")
        }
        counted = Course.objects.order_by("pk").annotate(
            counted_seated=Count(
                "enrollments",
                filter=Q(enrollments__status__in=Enrollment.SEATED_STATUSES),
            ),
            counted_waiting=Count(
                "enrollments",
                filter=Q(enrollments__status=Enrollment.Status.WAITLISTED),
            ),
            counted_last=Coalesce(Max("enrollments__waitlist_position"), 0),
        )
        changed = []
        for course in counted.values_list(
            "pk", "counted_seated", "counted_waiting", "counted_last"
        ):
            pk, seated, waiting, last = course
            places = kept.get(pk) or cls(course_id=pk, last_position=0)
            figures = (seated, waiting, max(last, places.last_position))
            if pk not in kept or figures != (
                places.seated,
                places.waiting,
                places.last_position,
            ):
                places.seated, places.waiting, places.last_position = figures
                changed.append(places)
        cls.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["course"],
            update_fields=["seated", "waiting", "last_position"],
        )
        return len(changed)
