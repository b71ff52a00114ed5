from datetime import date

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseServerError
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.views.generic import FormView, ListView, TemplateView

from accounts import throttle
from accounts.lockout import client_ip_address
from pages.forms import AccessibilityFeedbackForm
from pages.models import SignLanguageVideo
from pages.services import submit_accessibility_feedback


def operator_details():
    """Return the operator's names and addresses as configured in settings."""
    return {
        "name": settings.PORTAL_OPERATOR_NAME,
        "address": settings.PORTAL_OPERATOR_ADDRESS,
        "representative": settings.PORTAL_OPERATOR_REPRESENTATIVE,
        "email": settings.PORTAL_OPERATOR_EMAIL,
        "phone": settings.PORTAL_OPERATOR_PHONE,
        "content_responsible": settings.PORTAL_CONTENT_RESPONSIBLE,
        "privacy_officer": settings.PORTAL_PRIVACY_OFFICER,
    }


class OperatorMixin:
    def get_context_data(self, **kwargs):
        return super().get_context_data(
            operator=operator_details(),
            portal_base_url=settings.PORTAL_BASE_URL,
            **kwargs,
        )


class HelpView(OperatorMixin, TemplateView):
    template_name = "pages/help.html"


class ImprintView(OperatorMixin, TemplateView):
    template_name = "pages/imprint.html"


class PrivacyView(OperatorMixin, TemplateView):
    template_name = "pages/privacy.html"


class AccessibilityStatementView(OperatorMixin, FormView):
    template_name = "pages/accessibility_statement.html"
    form_class = AccessibilityFeedbackForm
    success_url = reverse_lazy("pages:accessibility_feedback_done")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            statement_date=date.fromisoformat(
                settings.PORTAL_ACCESSIBILITY_STATEMENT_DATE
            ),
            conciliation_body=settings.PORTAL_CONCILIATION_BODY,
            feedback_email=settings.PORTAL_ACCESSIBILITY_FEEDBACK_EMAIL,
            **kwargs,
        )

    def form_valid(self, form):
        if not throttle.allow(
            scope="feedback-ip",
            key=client_ip_address(self.request) or "",
            limit=settings.PORTAL_FEEDBACK_LIMIT_PER_IP,
        ):
            form.add_error(
                None,
                gettext(
                    "Many messages have been sent from your connection in the last "
                    "hour. Please try again later or write to %(email)s."
                )
                % {"email": settings.PORTAL_ACCESSIBILITY_FEEDBACK_EMAIL},
            )
            return self.form_invalid(form)
        submit_accessibility_feedback(actor=self.request.user, **form.cleaned_data)
        return super().form_valid(form)


class AccessibilityFeedbackDoneView(TemplateView):
    template_name = "pages/accessibility_feedback_done.html"


class EasyLanguageView(TemplateView):
    template_name = "pages/easy_language.html"


class SignLanguageView(ListView):
    template_name = "pages/sign_language.html"
    context_object_name = "videos"

    def get_queryset(self):
        return SignLanguageVideo.objects.published()


def sign_language_video(request, pk):
    """Send a published video (or its captions), inline or as a download."""
    video = get_object_or_404(SignLanguageVideo.objects.published(), pk=pk)
    if "captions" in request.GET:
        if not video.captions:
            raise Http404
        return FileResponse(video.captions.open("rb"), content_type="text/vtt")
    return FileResponse(
        video.file.open("rb"),
        as_attachment="download" in request.GET,
        content_type=video.mime_type,
    )


def server_error(request):
    """Render the German 500 page without the request's context processors.

    The failure may lie in the database or a context processor, so the page
    gets only what cannot fail.
    """
    return HttpResponseServerError(
        render_to_string(
            "500.html",
            {"training_office_email": settings.PORTAL_TRAINING_OFFICE_EMAIL},
        )
    )
