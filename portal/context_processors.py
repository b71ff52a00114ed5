from django.conf import settings


def portal(request):
    """Expose the operator's contact data to every template."""
    return {
        "training_office_email": settings.PORTAL_TRAINING_OFFICE_EMAIL,
    }
