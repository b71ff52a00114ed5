from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("anmelden/", views.LoginView.as_view(), name="login"),
    path("abmelden/", views.LogoutView.as_view(), name="logout"),
    path("registrieren/", views.SignUpView.as_view(), name="signup"),
    path("registrieren/fertig/", views.SignUpDoneView.as_view(), name="signup_done"),
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
