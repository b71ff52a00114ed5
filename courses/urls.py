from django.urls import path, register_converter

from courses import views


class CourseNumberConverter:
    """Match a course number: any text without a slash or control character.

    A control character (NUL above all) can be in no number, and PostgreSQL
    refuses NUL in a query, so such a path is simply not found.
    """

    regex = r"[^/\x00-\x1f\x7f]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(CourseNumberConverter, "course_number")

app_name = "courses"

urlpatterns = [
    path("", views.CourseListView.as_view(), name="course_list"),
    path(
        "meine-bildungsmassnahmen/",
        views.MyEnrollmentListView.as_view(),
        name="my_enrollments",
    ),
    path(
        "meine-bildungsmassnahmen/<int:pk>/stornieren/",
        views.EnrollmentCancelView.as_view(),
        name="enrollment_cancel",
    ),
    path(
        "meine-bildungsmassnahmen/<int:pk>/storniert/",
        views.EnrollmentCanceledView.as_view(),
        name="enrollment_canceled",
    ),
    path(
        "<course_number:number>/",
        views.CourseDetailView.as_view(),
        name="course_detail",
    ),
    path("<course_number:number>/anmelden/", views.EnrollView.as_view(), name="enroll"),
]
