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

urlpatterns += [
    path(
        "meine-daten/bearbeiten/",
        views.ProfileUpdateView.as_view(),
        name="profile_update",
    ),
    path("meine-daten/e-mail/", views.EmailChangeView.as_view(), name="email_change"),
    path(
        "e-mail-bestaetigen/<str:token>/",
        views.EmailChangeConfirmView.as_view(),
        name="email_change_confirm",
    ),
    path(
        "meine-daten/passwort/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "meine-daten/zwei-faktor/",
        views.SecondFactorView.as_view(),
        name="second_factor",
    ),
    path(
        "zwei-faktor/einrichten/",
        views.SecondFactorSetupView.as_view(),
        name="second_factor_setup",
    ),
    path(
        "zwei-faktor/pruefen/",
        views.SecondFactorVerifyView.as_view(),
        name="second_factor_verify",
    ),
    path(
        "meine-daten/zwei-faktor/neue-codes/",
        views.RecoveryCodesRenewView.as_view(),
        name="recovery_codes_renew",
    ),
    path(
        "meine-daten/zwei-faktor/ausschalten/",
        views.SecondFactorRemoveView.as_view(),
        name="second_factor_remove",
    ),
]
