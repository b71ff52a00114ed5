import logging

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from django_otp import login as otp_login
from django_otp import verify_token

from accounts.forms import (
    EmailChangeForm,
    KernPasswordChangeForm,
    LoginForm,
    LoginIdReminderForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    ProfileForm,
    SecondFactorRemoveForm,
    SecondFactorTokenForm,
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
from accounts.second_factor import (
    formatted_key,
    has_second_factor,
    login_devices,
    qr_code_svg,
    remaining_recovery_codes,
)
from accounts.services import (
    change_password,
    confirm_email_change,
    confirm_second_factor,
    pending_email_change,
    register_user,
    remove_second_factor,
    renew_recovery_codes,
    request_email_change,
    start_second_factor_setup,
    update_profile,
)
from portal.redaction import HIDE_IN_ERROR_REPORTS

logger = logging.getLogger(__name__)


@method_decorator(HIDE_IN_ERROR_REPORTS, name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        # Logging out changes state and needs a POST; someone who opens the
        # address gets a page with the button instead of an empty 405.
        return render(request, "accounts/logout.html")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # A shared computer keeps nothing of the session in the browser.
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


class AnonymousOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("courses:course_list")
        return super().dispatch(request, *args, **kwargs)


# The pages of sign-up, confirmation links and both "vergessen" forms are
# seen before login, so NoStoreForSignedInMiddleware does not cover them; they
# show or take personal data or carry a token in the address, and no browser
# cache or proxy may keep them either.
@method_decorator(never_cache, name="dispatch")
@method_decorator(HIDE_IN_ERROR_REPORTS, name="dispatch")
class SignUpView(AnonymousOnlyMixin, FormView):
    form_class = SignUpForm
    template_name = "accounts/signup.html"
    success_url = reverse_lazy("accounts:signup_sent")

    def form_valid(self, form):
        user = register_user(form=form)
        self.request.session["signed_up_email"] = user.email
        return super().form_valid(form)


@method_decorator(never_cache, name="dispatch")
class SignUpSentView(TemplateView):
    template_name = "accounts/signup_sent.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            email=self.request.session.get("signed_up_email", ""), **kwargs
        )


@method_decorator(never_cache, name="dispatch")
@method_decorator(HIDE_IN_ERROR_REPORTS, name="dispatch")
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


@method_decorator(never_cache, name="dispatch")
@method_decorator(HIDE_IN_ERROR_REPORTS, name="dispatch")
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


@method_decorator(never_cache, name="dispatch")
class PasswordResetSentView(TemplateView):
    template_name = "accounts/password_reset_sent.html"


@method_decorator(HIDE_IN_ERROR_REPORTS, name="dispatch")
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


@method_decorator(never_cache, name="dispatch")
class PasswordResetDoneView(TemplateView):
    template_name = "accounts/password_reset_done.html"


@method_decorator(never_cache, name="dispatch")
@method_decorator(HIDE_IN_ERROR_REPORTS, name="dispatch")
class LoginIdReminderView(AnonymousOnlyMixin, FormView):
    form_class = LoginIdReminderForm
    template_name = "accounts/login_id_reminder.html"
    success_url = reverse_lazy("accounts:login_id_reminder_sent")

    def form_valid(self, form):
        request_login_id_reminder(
            email=form.cleaned_data["email"], client_ip=client_ip_address(self.request)
        )
        return super().form_valid(form)


@method_decorator(never_cache, name="dispatch")
class LoginIdReminderSentView(TemplateView):
    template_name = "accounts/login_id_reminder_sent.html"


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            has_second_factor=has_second_factor(self.request.user), **kwargs
        )


def _safe_next(request, default):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        next_url,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return next_url
    return default


@method_decorator(HIDE_IN_ERROR_REPORTS, name="dispatch")
class ProfileUpdateView(LoginRequiredMixin, FormView):
    form_class = ProfileForm
    template_name = "accounts/profile_form.html"
    success_url = reverse_lazy("accounts:profile")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.request.user}

    def form_valid(self, form):
        update_profile(form=form)
        messages.success(self.request, _("Your data has been saved."))
        return super().form_valid(form)


@method_decorator(HIDE_IN_ERROR_REPORTS, name="dispatch")
class EmailChangeView(LoginRequiredMixin, FormView):
    form_class = EmailChangeForm
    template_name = "accounts/email_change.html"
    success_url = reverse_lazy("accounts:profile")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        request_email_change(
            user=self.request.user, new_email=form.cleaned_data["email"]
        )
        messages.success(
            self.request,
            _(
                "We have sent a link to %(email)s. Your new address applies once "
                "you follow it."
            )
            % {"email": form.cleaned_data["email"]},
        )
        return super().form_valid(form)


@method_decorator(never_cache, name="dispatch")
@method_decorator(HIDE_IN_ERROR_REPORTS, name="dispatch")
class EmailChangeConfirmView(TemplateView):
    """Apply a new e-mail address; the link alone proves the mailbox.

    The page asks for a click first, so that mail scanners that open links
    change nothing.
    """

    template_name = "accounts/email_change_confirm.html"

    def get_context_data(self, **kwargs):
        pending = pending_email_change(self.kwargs["token"])
        return super().get_context_data(
            new_email=pending[1] if pending else None, **kwargs
        )

    def post(self, request, *args, **kwargs):
        pending = pending_email_change(self.kwargs["token"])
        if pending is None:
            return self.get(request, *args, **kwargs)

        user, new_email = pending
        confirm_email_change(user=user, new_email=new_email)
        messages.success(request, _("Your new e-mail address has been saved."))
        return redirect("accounts:profile")


@method_decorator(HIDE_IN_ERROR_REPORTS, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = KernPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        change_password(form=form)
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect(self.get_success_url())


class SecondFactorView(LoginRequiredMixin, TemplateView):
    """The second factor under "Meine Daten": state, codes, switch off."""

    template_name = "accounts/second_factor.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            has_second_factor=has_second_factor(user),
            recovery_code_count=remaining_recovery_codes(user),
            remove_form=SecondFactorRemoveForm(user=user),
            **kwargs,
        )


@method_decorator(HIDE_IN_ERROR_REPORTS, name="dispatch")
class SecondFactorSetupView(LoginRequiredMixin, FormView):
    form_class = SecondFactorTokenForm
    template_name = "accounts/second_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and has_second_factor(request.user):
            return redirect("accounts:second_factor")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        device = start_second_factor_setup(user=self.request.user)
        return super().get_context_data(
            qr_code=qr_code_svg(device),
            secret=formatted_key(device),
            next=_safe_next(self.request, ""),
            **kwargs,
        )

    def form_valid(self, form):
        device = start_second_factor_setup(user=self.request.user)
        if not device.verify_token(form.cleaned_data["token"]):
            form.add_error("token", _("This code is not valid. Please try again."))
            return self.form_invalid(form)

        codes = confirm_second_factor(device=device)
        self.request.session.cycle_key()
        otp_login(self.request, device)
        return render(
            self.request,
            "accounts/recovery_codes.html",
            {
                "codes": codes,
                "next": _safe_next(self.request, reverse("accounts:second_factor")),
            },
        )


@method_decorator(HIDE_IN_ERROR_REPORTS, name="dispatch")
class SecondFactorVerifyView(LoginRequiredMixin, FormView):
    form_class = SecondFactorTokenForm
    template_name = "accounts/second_factor_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not has_second_factor(request.user):
            return redirect(_safe_next(request, reverse("courses:course_list")))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=_safe_next(self.request, ""), **kwargs)

    def form_valid(self, form):
        user = self.request.user
        device = next(
            (
                device
                for device in login_devices(user)
                if verify_token(user, device.persistent_id, form.cleaned_data["token"])
            ),
            None,
        )
        if device is None:
            logger.warning("Second factor rejected", extra={"user_id": user.pk})
            form.add_error(
                "token",
                _(
                    "This code is not valid. Enter the current code of your "
                    "app or one of your recovery codes."
                ),
            )
            return self.form_invalid(form)

        self.request.session.cycle_key()
        otp_login(self.request, device)
        return redirect(_safe_next(self.request, reverse("courses:course_list")))


@method_decorator(HIDE_IN_ERROR_REPORTS, name="dispatch")
class RecoveryCodesRenewView(LoginRequiredMixin, View):
    def post(self, request):
        if not request.user.is_verified():
            return redirect("accounts:second_factor")
        codes = renew_recovery_codes(user=request.user)
        return render(
            request,
            "accounts/recovery_codes.html",
            {"codes": codes, "next": reverse("accounts:second_factor")},
        )


@method_decorator(HIDE_IN_ERROR_REPORTS, name="dispatch")
class SecondFactorRemoveView(LoginRequiredMixin, FormView):
    form_class = SecondFactorRemoveForm
    template_name = "accounts/second_factor.html"
    success_url = reverse_lazy("accounts:second_factor")

    def dispatch(self, request, *args, **kwargs):
        # The admin requires the second factor of staff: only the
        # Fortbildungsreferat resets it for them.
        if request.user.is_authenticated and request.user.is_staff:
            return redirect("accounts:second_factor")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            has_second_factor=has_second_factor(user),
            recovery_code_count=remaining_recovery_codes(user),
            remove_form=kwargs.pop("form", None),
            **kwargs,
        )

    def form_valid(self, form):
        remove_second_factor(user=self.request.user, actor=self.request.user)
        messages.success(self.request, _("The second factor has been switched off."))
        return super().form_valid(form)
