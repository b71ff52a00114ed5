import functools

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from courses import catalogue, my_enrollments
from courses.forms import CancelEnrollmentForm
from courses.models import Course, Enrollment
from courses.services import EnrollmentError, cancel_enrollment, enroll
from portal.redaction import HIDE_IN_ERROR_REPORTS


class CourseListView(ListView):
    """The catalogue: upcoming published courses, searched and filtered.

    What it lists is kept per process while no course changes; see
    courses.catalogue.
    """

    template_name = "courses/course_list.html"
    context_object_name = "courses"
    paginate_by = 20

    def get_queryset(self):
        # The page comes from paginate_queryset, kept or read; an empty
        # QuerySet would cost a query object that nothing uses.
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(form=self.form, results_key=self.results_key)
        return context

    def paginate_queryset(self, queryset, page_size):
        self.form, paginator, page, self.results_key = catalogue.search(
            self.request.GET, per_page=page_size
        )
        return paginator, page, page.object_list, page.has_other_pages()


class CourseDetailView(DetailView):
    template_name = "courses/course_detail.html"
    context_object_name = "course"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Course.objects.published()
            .with_seat_counts()
            .prefetch_related("target_career_groups"),
            number=self.kwargs["number"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        course, user = self.object, self.request.user
        enrollment = None
        if user.is_authenticated:
            enrollment = (
                Enrollment.objects.filter(course=course, user=user)
                .active()
                .with_waitlist_rank()
                .first()
            )
        context.update(
            enrollment=enrollment,
            is_registration_open=course.is_registration_open(),
            is_open_to_user=not user.is_authenticated or course.is_open_to(user),
        )
        return context


class EnrollView(LoginRequiredMixin, View):
    http_method_names = ["get", "post"]

    def get(self, request, number):
        # Enrolling takes the form's POST; an address typed or bookmarked
        # leads to the course's page and its button, not to an empty 405.
        return redirect("courses:course_detail", number=number)

    def post(self, request, number):
        # The service finds and locks the course in one statement.
        try:
            enrollment = enroll(number=number, user=request.user)
        except Course.DoesNotExist:
            raise Http404 from None
        except EnrollmentError as error:
            messages.error(request, str(error))
            return redirect("courses:course_detail", number=number)

        if enrollment.status == Enrollment.Status.WAITLISTED:
            messages.success(
                request,
                _("The course is full; you are on the waiting list."),
            )
        elif enrollment.status == Enrollment.Status.REGISTERED:
            messages.success(request, _("Your application has been received."))
        else:
            messages.success(request, _("You are registered for the course."))
        return redirect("courses:my_enrollments")


@functools.cache
def _enrollment_rows():
    """What a row of "Meine Bildungsmaßnahmen" shows, for any person.

    Built once per process; resolving the join and the waiting-list rank
    anew cost a third of reading the rows.
    """
    return (
        Enrollment.objects.select_related("course")
        # What a row shows (courses/partials/enrollment_row.html) and
        # nothing else: a course's description alone may be pages long.
        .only(
            "status",
            "waitlist_position",
            "created_at",
            "course__number",
            "course__title",
            "course__starts_at",
            "course__ends_at",
            "course__format",
            "course__town",
            "course__venue",
        )
        .with_waitlist_rank()
        .order_by("course__starts_at", "created_at")
    )


class MyEnrollmentListView(LoginRequiredMixin, TemplateView):
    template_name = "courses/my_enrollments.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        # The rows are only read when no table is kept for the person.
        table = my_enrollments.table(
            user, rows=lambda: _enrollment_rows().filter(user=user)
        )
        return super().get_context_data(table=table, **kwargs)


class OwnEnrollmentMixin(LoginRequiredMixin):
    """Look up an enrolment of the logged-in user; anyone else's is a 404."""

    def get_enrollment(self):
        return get_object_or_404(
            Enrollment.objects.select_related("course"),
            pk=self.kwargs["pk"],
            user=self.request.user,
        )


# The reason for a cancellation is free text and may name anything.
@method_decorator(HIDE_IN_ERROR_REPORTS, name="dispatch")
class EnrollmentCancelView(OwnEnrollmentMixin, FormView):
    template_name = "courses/enrollment_cancel.html"
    form_class = CancelEnrollmentForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.enrollment = self.get_enrollment()
        if self.enrollment.status == Enrollment.Status.CANCELED:
            # A repeated submission lands on the same result page.
            return redirect("courses:enrollment_canceled", pk=self.enrollment.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            enrollment=self.enrollment,
            course=self.enrollment.course,
            refusal=self.enrollment.cancel_refusal(),
            is_short_notice=self.enrollment.is_short_notice_cancellation(),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            cancel_enrollment(
                enrollment=self.enrollment,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except EnrollmentError as error:
            messages.error(self.request, str(error))
            return redirect("courses:my_enrollments")
        return redirect("courses:enrollment_canceled", pk=self.enrollment.pk)


class EnrollmentCanceledView(OwnEnrollmentMixin, DetailView):
    template_name = "courses/enrollment_canceled.html"
    context_object_name = "enrollment"

    def get_object(self, queryset=None):
        return self.get_enrollment()
