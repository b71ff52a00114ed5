from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView

from accounts.forms import (
    LoginForm,
    LoginIdReminderForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    SignUpForm,
)
from accounts.lockout import client_ip_address
from accounts.recovery import (
    complete_password_reset,
    confirm_signup,
    request_login_id_reminder,
    request_password_reset,
    user_for_confirmation_token,
)
from accounts.services import register_user


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class AnonymousOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("courses:course_list")
        return super().dispatch(request, *args, **kwargs)


@method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")
class SignUpView(AnonymousOnlyMixin, FormView):
    form_class = SignUpForm
    template_name = "accounts/signup.html"
    success_url = reverse_lazy("accounts:signup_sent")

    def form_valid(self, form):
        user = register_user(form=form)
        self.request.session["signed_up_email"] = user.email
        return super().form_valid(form)


class SignUpSentView(TemplateView):
    template_name = "accounts/signup_sent.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            email=self.request.session.get("signed_up_email", ""), **kwargs
        )


class SignUpConfirmView(View):
    """Confirm the address with a button, so that a mail scanner following
    the link does not use it up."""

    template_name = "accounts/signup_confirm.html"

    def get(self, request, token):
        user = user_for_confirmation_token(token)
        return render(
            request,
            self.template_name,
            {"valid": user is not None},
            status=200 if user is not None else 400,
        )

    def post(self, request, token):
        user = user_for_confirmation_token(token)
        if user is None:
            return render(request, self.template_name, {"valid": False}, status=400)
        confirm_signup(user=user)
        login(request, user, backend="accounts.backends.LoginIdBackend")
        messages.success(request, _("Your e-mail address is confirmed."))
        return redirect("accounts:signup_done")


class SignUpDoneView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/signup_done.html"


class PasswordResetView(AnonymousOnlyMixin, FormView):
    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_sent")

    def form_valid(self, form):
        request_password_reset(
            login_id=form.cleaned_data["login_id"],
            client_ip=client_ip_address(self.request),
        )
        return super().form_valid(form)


class PasswordResetSentView(TemplateView):
    template_name = "accounts/password_reset_sent.html"


@method_decorator(
    sensitive_post_parameters("new_password1", "new_password2"), name="dispatch"
)
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        complete_password_reset(
            user=form.user, password=form.cleaned_data["new_password1"]
        )
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(TemplateView):
    template_name = "accounts/password_reset_done.html"


class LoginIdReminderView(AnonymousOnlyMixin, FormView):
    form_class = LoginIdReminderForm
    template_name = "accounts/login_id_reminder.html"
    success_url = reverse_lazy("accounts:login_id_reminder_sent")

    def form_valid(self, form):
        request_login_id_reminder(
            email=form.cleaned_data["email"], client_ip=client_ip_address(self.request)
        )
        return super().form_valid(form)


class LoginIdReminderSentView(TemplateView):
    template_name = "accounts/login_id_reminder_sent.html"


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"
