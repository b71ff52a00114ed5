"""German names for permissions in the admin.

Django stores a permission's name in English when it creates it ("Can add
account"), so the admin's pickers would show English text to German
officers. The portal names each permission from its model's translated
verbose name and the action instead, and translates its own custom names.
"""

from django.utils.translation import gettext, pgettext_lazy

DEFAULT_ACTIONS = {
    "add": pgettext_lazy("permission", "add"),
    "change": pgettext_lazy("permission", "change"),
    "delete": pgettext_lazy("permission", "delete"),
    "view": pgettext_lazy("permission", "view"),
}


def permission_label(permission):
    """Return the permission's name in the active language."""
    model = permission.content_type.model_class()
    action, _, model_name = permission.codename.partition("_")
    if (
        model is not None
        and action in DEFAULT_ACTIONS
        and model_name == model._meta.model_name
    ):
        return gettext("%(model)s: %(action)s") % {
            "model": model._meta.verbose_name_plural,
            "action": DEFAULT_ACTIONS[action],
        }
    return gettext(permission.name)
