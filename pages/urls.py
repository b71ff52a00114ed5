from django.urls import path

from pages import views

app_name = "pages"

urlpatterns = [
    path("hilfe/", views.HelpView.as_view(), name="help"),
    path("impressum/", views.ImprintView.as_view(), name="imprint"),
    path("datenschutz/", views.PrivacyView.as_view(), name="privacy"),
    path(
        "barrierefreiheit/",
        views.AccessibilityStatementView.as_view(),
        name="accessibility_statement",
    ),
    path(
        "barrierefreiheit/rueckmeldung-erhalten/",
        views.AccessibilityFeedbackDoneView.as_view(),
        name="accessibility_feedback_done",
    ),
    path("leichte-sprache/", views.EasyLanguageView.as_view(), name="easy_language"),
    path("gebaerdensprache/", views.SignLanguageView.as_view(), name="sign_language"),
    path(
        "gebaerdensprache/<int:pk>/video/",
        views.sign_language_video,
        name="sign_language_video",
    ),
]
