import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from accounts.audit import record
from accounts.mail import absolute_url, queue_mail
from pages.models import AccessibilityFeedback

logger = logging.getLogger(__name__)


def submit_accessibility_feedback(*, actor, page_url, message, name, email):
    """Store a reported barrier and mail it to the operator."""
    with transaction.atomic():
        feedback = AccessibilityFeedback.objects.create(
            page_url=page_url, message=message, name=name, email=email
        )
        queue_mail(
            to=[settings.PORTAL_ACCESSIBILITY_FEEDBACK_EMAIL],
            template="pages/mail/accessibility_feedback",
            context={
                "feedback": feedback,
                "admin_url": absolute_url(
                    reverse(
                        "admin:pages_accessibilityfeedback_change", args=[feedback.pk]
                    )
                ),
            },
            reply_to=[email] if email else (),
        )
        record(actor=actor, action="pages.accessibility_feedback", target=feedback)
    logger.info("Accessibility feedback received", extra={"feedback_id": feedback.pk})
    return feedback
