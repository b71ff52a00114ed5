"""Form helpers shared by the apps: KERN UX markup and accessible errors."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

# Bidirectional overrides and isolates: invisible, and able to make a name
# read differently in the admin than it was typed.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class ControlCharacterValidator:
    """Reject control characters, which no name, address or search needs.

    NUL would also be refused by PostgreSQL as a server error; the others
    are invisible and would reach the admin, mails and exports. Multi-line
    fields keep line breaks and tabs.
    """

    message = _(
        "The entry contains invisible control characters. Please remove them, "
        "for example by typing the entry instead of pasting it."
    )
    code = "control_characters"

    def __init__(self, *, multiline=False):
        self.allowed = frozenset("\t\n\r") if multiline else frozenset()

    def __call__(self, value):
        if any(_is_forbidden(char) and char not in self.allowed for char in value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return (
            isinstance(other, ControlCharacterValidator)
            and self.allowed == other.allowed
        )


def _is_forbidden(char):
    return unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS


def _kern_class(widget):
    if isinstance(widget, forms.Select):
        return "kern-form-input__select"
    if isinstance(widget, forms.CheckboxInput):
        return "kern-form-check__checkbox"
    return "kern-form-input__input"


def _guard_against_control_characters(field):
    # A password is only hashed, never shown: whatever it contains is the
    # person's choice (Django still refuses NUL in it).
    if not isinstance(field, forms.CharField) or isinstance(
        field.widget, forms.PasswordInput
    ):
        return
    field.validators = [
        validator
        for validator in field.validators
        if not isinstance(validator, ProhibitNullCharactersValidator)
    ]
    field.validators.append(
        ControlCharacterValidator(multiline=isinstance(field.widget, forms.Textarea))
    )


class KernFormMixin:
    """Give every widget KERN's classes and tie hints and errors to it.

    Every text field also refuses control characters, so that nothing
    invisible is stored and PostgreSQL never sees a NUL.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", _kern_class(field.widget))
            _guard_against_control_characters(field)
            # The hint's id is Django's own, so that a help text set after
            # this point is still referenced correctly when rendered.
            if field.help_text:
                field.widget.attrs["aria-describedby"] = (
                    f"{self.auto_id % name}_helptext"
                )

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            css_class = _kern_class(widget)
            widget.attrs["class"] = f"{css_class} {css_class}--error"
            widget.attrs["aria-invalid"] = "true"
            described_by = widget.attrs.get("aria-describedby", "").split()
            widget.attrs["aria-describedby"] = " ".join(
                [f"{self.auto_id % name}-error", *described_by]
            )
