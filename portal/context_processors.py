from django.conf import settings

from portal.middleware import session_seconds_left, session_warning_seconds


def portal(request):
    """Expose the operator's contact and the session's end to templates."""
    context = {
        "training_office_email": settings.PORTAL_TRAINING_OFFICE_EMAIL,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        warning = session_warning_seconds()
        context.update(
            session_seconds_left=session_seconds_left(request),
            session_warning_seconds=warning,
            session_warning_minutes=max(1, round(warning / 60)),
        )
    return context
