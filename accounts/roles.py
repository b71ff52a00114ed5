"""Who may act on which accounts: the one place that answers it."""

from orgunits.models import Ministry

TRAINING_OFFICE = "Fortbildungsreferat"
TRAINING_OFFICER = "Bildungsverantwortliche"


def is_training_office(user):
    """Return whether the user acts for the Fortbildungsreferat."""
    return user.is_active and (
        user.is_superuser or user.groups.filter(name=TRAINING_OFFICE).exists()
    )


def is_training_officer(user):
    """Return whether the user is a Bildungsverantwortliche of one Ressort."""
    return (
        user.is_active
        and user.ministry_id is not None
        and user.groups.filter(name=TRAINING_OFFICER).exists()
    )


def ministries_in_scope(user):
    """Return the Ressorts whose accounts the user may see and act on."""
    if not user.is_authenticated or not user.is_staff:
        return Ministry.objects.none()
    if is_training_office(user):
        return Ministry.objects.all()
    if is_training_officer(user):
        return Ministry.objects.filter(pk=user.ministry_id)
    return Ministry.objects.none()


def accounts_in_scope(user, queryset):
    """Narrow a queryset of accounts to those the user may act on."""
    if is_training_office(user):
        return queryset
    return queryset.filter(ministry__in=ministries_in_scope(user))
