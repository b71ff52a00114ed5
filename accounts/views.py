from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView

from accounts.forms import LoginForm, SignUpForm
from accounts.services import register_user


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")
class SignUpView(FormView):
    form_class = SignUpForm
    template_name = "accounts/signup.html"
    success_url = reverse_lazy("accounts:signup_done")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("courses:course_list")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        user = register_user(form=form)
        self.request.session["signed_up_login_id"] = user.login_id
        login(self.request, user, backend="accounts.backends.LoginIdBackend")
        messages.success(self.request, _("Your account has been created."))
        return super().form_valid(form)


class SignUpDoneView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/signup_done.html"


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"
