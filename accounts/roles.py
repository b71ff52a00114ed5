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


# The permissions each role group holds, as "app_label.codename". The
# command setup_roles gives each group exactly these.
ROLE_PERMISSIONS = {
    TRAINING_OFFICE: [
        *(
            f"orgunits.{action}_{model}"
            for model in ("ministry", "serviceoffice", "careergroup", "orgunit")
            for action in ("add", "change", "delete", "view")
        ),
        *(
            f"courses.{action}_{model}"
            for model in ("course", "enrollment")
            for action in ("add", "change", "delete", "view")
        ),
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
        "accounts.anonymise_user",
        "accounts.unlock_user",
        "accounts.force_password_reset",
        "accounts.reset_second_factor",
        "accounts.change_orgunitreview",
        "accounts.view_orgunitreview",
        "accounts.view_auditentry",
    ],
    TRAINING_OFFICER: [
        "accounts.view_user",
        "accounts.unlock_user",
        "accounts.force_password_reset",
        "accounts.anonymise_user",
    ],
}


def holds_every_right_of(actor, target):
    """Return whether the actor holds every right the target account holds.

    No one acts on (or grants) more power than they have themselves.
    """
    if actor.is_superuser:
        return True
    if target.is_superuser:
        return False
    return target.get_all_permissions() <= actor.get_all_permissions()


def grantable_groups(user, queryset):
    """Narrow groups to those whose permissions the user holds all of."""
    if user.is_superuser:
        return queryset
    held = user.get_all_permissions()
    grantable = [
        group.pk
        for group in queryset.prefetch_related("permissions__content_type")
        if {
            f"{permission.content_type.app_label}.{permission.codename}"
            for permission in group.permissions.all()
        }
        <= held
    ]
    return queryset.filter(pk__in=grantable)


def grantable_permissions(user, queryset):
    """Narrow permissions to those the user holds."""
    if user.is_superuser:
        return queryset
    held = user.get_all_permissions()
    grantable = [
        permission.pk
        for permission in queryset.select_related("content_type")
        if f"{permission.content_type.app_label}.{permission.codename}" in held
    ]
    return queryset.filter(pk__in=grantable)
