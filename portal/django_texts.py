"""Texts of Django 5.2 that its own German catalogue does not translate yet.

Nothing imports this module. It exists so that `make messages` collects these
messages into the portal's catalogue, which Django consults before its own
(LOCALE_PATHS), and the admin reads German throughout. Once Django ships the
translations, entries here can go.
"""

from django.utils.translation import gettext_noop

DJANGO_TEXTS = [
    # django.contrib.auth
    gettext_noop("Conflicting form data submitted. Please try again."),
    gettext_noop("Password-based authentication was disabled."),
    gettext_noop("Set password: %s"),
    gettext_noop("Reset password"),
    gettext_noop("Set password"),
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not. "
        "If disabled, they may still be able to authenticate using other "
        "backends, such as Single Sign-On or LDAP."
    ),
    gettext_noop("Password-based authentication"),
    gettext_noop("Enabled"),
    gettext_noop("Disabled"),
    gettext_noop(
        "Raw passwords are not stored, so there is no way to see the user’s password."
    ),
    gettext_noop(
        "Enable password-based authentication for this user by setting a password."
    ),
    # django.contrib.admin
    gettext_noop(
        "After you’ve created a user, you’ll be able to edit more user options."
    ),
    gettext_noop(
        "This action will <strong>enable</strong> password-based authentication "
        "for this user."
    ),
    gettext_noop("Disable password-based authentication"),
    gettext_noop("Enable password-based authentication"),
    gettext_noop("In case you’ve forgotten, you are:"),
]
