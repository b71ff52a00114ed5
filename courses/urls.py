from django.urls import path

from courses import views

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
    path("<str:number>/", views.CourseDetailView.as_view(), name="course_detail"),
    path("<str:number>/anmelden/", views.EnrollView.as_view(), name="enroll"),
]
