from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("anmelden/", views.LoginView.as_view(), name="login"),
    path("abmelden/", views.LogoutView.as_view(), name="logout"),
    path("registrieren/", views.SignUpView.as_view(), name="signup"),
    path(
        "registrieren/gesendet/",
        views.SignUpSentView.as_view(),
        name="signup_sent",
    ),
    path(
        "registrieren/bestaetigen/<str:token>/",
        views.SignUpConfirmView.as_view(),
        name="signup_confirm",
    ),
    path("registrieren/fertig/", views.SignUpDoneView.as_view(), name="signup_done"),
    path(
        "kennwort-vergessen/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "kennwort-vergessen/gesendet/",
        views.PasswordResetSentView.as_view(),
        name="password_reset_sent",
    ),
    path(
        "kennwort-vergessen/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "kennwort-vergessen/fertig/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "nutzerkennung-vergessen/",
        views.LoginIdReminderView.as_view(),
        name="login_id_reminder",
    ),
    path(
        "nutzerkennung-vergessen/gesendet/",
        views.LoginIdReminderSentView.as_view(),
        name="login_id_reminder_sent",
    ),
    path("meine-daten/", views.ProfileView.as_view(), name="profile"),
]
