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
    path("<str:number>/", views.CourseDetailView.as_view(), name="course_detail"),
]
