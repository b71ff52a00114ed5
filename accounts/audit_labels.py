"""What each kind of audit entry is called in the admin.

Entries store a stable code ("account.locked"); the Fortbildungsreferat reads
the German name. A code without a name here is shown as it is.
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "account.access_changed": _("Access rights changed"),
    "account.anonymised": _("Account anonymised"),
    "account.email_change_requested": _("E-mail change requested"),
    "account.email_changed": _("E-mail address changed"),
    "account.email_confirmed": _("E-mail address confirmed"),
    "account.imported": _("Account imported from the old system"),
    "account.locked": _("Account locked"),
    "account.logged_in": _("Logged in"),
    "account.logged_out": _("Logged out"),
    "account.login_failed": _("Login failed"),
    "account.login_id_reminded": _("Nutzerkennung reminder sent"),
    "account.org_unit_changed": _("Org unit changed"),
    "account.password_changed": _("Password changed"),
    "account.password_reset_completed": _("Password reset completed"),
    "account.password_reset_forced": _("Password reset forced"),
    "account.password_reset_requested": _("Password reset requested"),
    "account.password_set_by_admin": _("Password set in the administration"),
    "account.profile_updated": _("Meine Daten changed"),
    "account.recovery_codes_renewed": _("Recovery codes renewed"),
    "account.registered": _("Signed up"),
    "account.second_factor_removed": _("Second factor switched off"),
    "account.second_factor_set_up": _("Second factor switched on"),
    "account.training_record_exported": _("Training record exported"),
    "account.unlocked": _("Account unlocked"),
    "audit.purged": _("Old audit entries purged"),
    "course.canceled": _("Course called off"),
    "course.capacity_changed": _("Capacity changed"),
    "enrollment.admitted": _("Applicant admitted"),
    "enrollment.attended": _("Attendance recorded"),
    "enrollment.canceled": _("Enrolment cancelled"),
    "enrollment.created": _("Enrolled"),
    "enrollment.promoted": _("Moved up from the waiting list"),
    "enrollment.rejected": _("Applicant rejected"),
    "pages.accessibility_feedback": _("Accessibility feedback received"),
}


def action_label(action):
    return ACTION_LABELS.get(action, action)


def target_type_label(target_type):
    """The model's name for a stored "app_label.model", else the code."""
    try:
        return apps.get_model(target_type)._meta.verbose_name
    except (LookupError, ValueError):
        return target_type
