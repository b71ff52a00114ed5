from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from courses.forms import CourseSearchForm
from courses.models import Course, Enrollment


class CourseListView(ListView):
    template_name = "courses/course_list.html"
    context_object_name = "courses"
    paginate_by = 20

    def get_queryset(self):
        self.form = CourseSearchForm(self.request.GET or None)
        courses = Course.objects.published().upcoming()
        if self.form.is_valid() and self.form.cleaned_data["q"]:
            term = self.form.cleaned_data["q"]
            courses = courses.filter(
                Q(number__icontains=term)
                | Q(title__icontains=term)
                | Q(description__icontains=term)
            )
        return courses.order_by("starts_at", "number")

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, **kwargs)


class CourseDetailView(DetailView):
    template_name = "courses/course_detail.html"
    context_object_name = "course"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Course.objects.published().prefetch_related("target_career_groups"),
            number=self.kwargs["number"],
        )


class MyEnrollmentListView(LoginRequiredMixin, ListView):
    template_name = "courses/my_enrollments.html"
    context_object_name = "enrollments"

    def get_queryset(self):
        return (
            Enrollment.objects.filter(user=self.request.user)
            .select_related("course")
            .order_by("-course__starts_at")
        )
