"""Normalisation of the identifiers people type: personnel number, login id."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Eight digits, optionally followed by the LBV "Arbeitsgebiet" suffix
# ("/123A"), which identifies a department of the pay office, not the person.
_PERSONNEL_NUMBER = re.compile(r"^([0-9]{8})(?:/([0-9]{3}[A-Z]))?$")

PERSONNEL_NUMBER_HELP = _(
    "Eight digits, as on your pay statement from the LBV, e.g. 01234567. "
    "A suffix such as /123A may be included; it is not stored."
)


def normalize_login_id(value):
    """Return the login id as stored: NFKC-normalised, no white space.

    A personnel number typed with its LBV suffix ("12345678/123A") means the
    login id of its eight digits; a chosen login id never contains a slash.
    """
    value = "".join(unicodedata.normalize("NFKC", value or "").split())
    match = _PERSONNEL_NUMBER.match(value.upper())
    return match.group(1) if match else value


def login_id_key(value):
    """Return the key that identifies one account whatever the spelling."""
    return normalize_login_id(value).casefold()


def normalize_personnel_number(value):
    """Return the eight digits of an LBV personnel number.

    Accepts surrounding and inner white space, full-width digits and the
    department suffix; raises ValidationError for anything else.
    """
    compact = "".join(unicodedata.normalize("NFKC", value or "").split()).upper()
    match = _PERSONNEL_NUMBER.match(compact)
    if match is None:
        raise ValidationError(
            _(
                "Please enter the personnel number as eight digits, e.g. 01234567 "
                "or 01234567/123A."
            ),
            code="invalid_personnel_number",
        )
    return match.group(1)
