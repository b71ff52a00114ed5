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
