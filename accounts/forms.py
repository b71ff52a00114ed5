from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    SetPasswordForm,
    SetPasswordMixin,
)
from django.db.models import Q
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from accounts import throttle
from accounts.identifiers import (
    PERSONNEL_NUMBER_HELP,
    normalize_login_id,
    normalize_personnel_number,
)
from accounts.models import login_id_validator
from orgunits.models import CareerGroup, Ministry, ServiceOffice
from portal.forms import KernFormMixin

User = get_user_model()


def grouped_office_choices(queryset):
    """Return select choices for offices, grouped by superior office."""
    groups = {}
    for office in queryset.select_related("parent").order_by("parent__name", "name"):
        label = str(office.parent) if office.parent else _("Ministries and top offices")
        groups.setdefault(label, []).append((office.pk, office.name))
    top_label = str(_("Ministries and top offices"))
    ordered = sorted(
        groups.items(), key=lambda item: (str(item[0]) != top_label, str(item[0]))
    )
    return [("", _("Please choose"))] + [
        (str(label), offices) for label, offices in ordered
    ]


class LoginForm(KernFormMixin, AuthenticationForm):
    username = forms.CharField(
        label=_("Nutzerkennung"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
        help_text=_("Usually the first eight digits of your LBV personnel number."),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _(
            "The Nutzerkennung or the password is wrong. Please check both; the "
            "Nutzerkennung is usually the first eight digits of your LBV personnel "
            "number."
        ),
        "inactive": _("This account is not active."),
    }

    def clean_username(self):
        return normalize_login_id(self.cleaned_data["username"])


class SignUpForm(KernFormMixin, SetPasswordMixin, forms.ModelForm):
    personnel_number = forms.CharField(
        label=_("LBV personnel number"),
        max_length=40,
        help_text=PERSONNEL_NUMBER_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    login_id = forms.CharField(
        label=_("Nutzerkennung"),
        max_length=150,
        required=False,
        help_text=_(
            "Leave empty to log in with the eight digits of your personnel number. "
            "Otherwise 3 to 30 letters, digits, dots, hyphens or underscores."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1, password2 = SetPasswordMixin.create_password_fields()

    class Meta:
        model = User
        fields = [
            "personnel_number",
            "login_id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "ministry",
            "service_office",
            "career_group",
        ]
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (
            "first_name",
            "last_name",
            "email",
            "ministry",
            "service_office",
            "career_group",
        ):
            self.fields[name].required = True
        self.fields["ministry"].queryset = Ministry.objects.filter(is_active=True)
        self.fields["ministry"].empty_label = _("Please choose")
        self.fields["career_group"].queryset = CareerGroup.objects.filter(
            is_active=True
        )
        self.fields["career_group"].empty_label = _("Please choose")
        offices = ServiceOffice.objects.selectable()
        self.fields["service_office"].queryset = offices
        self.fields["service_office"].choices = grouped_office_choices(offices)
        self.fields["service_office"].help_text = _(
            "Offices are grouped under their superior office."
        )
        # The office is the person's employer: browsers may fill it in.
        self.fields["service_office"].widget.attrs["autocomplete"] = "organization"

    def clean_personnel_number(self):
        number = normalize_personnel_number(self.cleaned_data["personnel_number"])
        if (
            User.objects.filter(personnel_number=number, anonymised_at__isnull=True)
            .exclude(pk__in=User.objects.stale_sign_ups().values("pk"))
            .exists()
        ):
            raise forms.ValidationError(
                _(
                    "An account with this personnel number exists already. Use "
                    "“Kennwort vergessen” on the login page, or ask the "
                    "Fortbildungsreferat for help."
                ),
                code="personnel_number_taken",
            )
        return number

    def clean_login_id(self):
        login_id = normalize_login_id(self.cleaned_data.get("login_id", ""))
        if login_id:
            login_id_validator(login_id)
        return login_id

    def clean(self):
        cleaned_data = super().clean()
        number = cleaned_data.get("personnel_number")
        if not cleaned_data.get("login_id") and number:
            cleaned_data["login_id"] = number
        chosen = cleaned_data.get("login_id", "")
        if number and chosen.isdigit() and len(chosen) == 8 and chosen != number:
            # Eight digits are some colleague's default Nutzerkennung; taking
            # them would let one person squat another's login.
            self.add_error(
                "login_id",
                forms.ValidationError(
                    _(
                        "A Nutzerkennung of eight digits must be your own "
                        "personnel number. Please choose another one or leave "
                        "the field empty."
                    ),
                    code="login_id_foreign_number",
                ),
            )
            cleaned_data.pop("login_id", None)
        self.instance.login_id = cleaned_data.get("login_id", "")

        login_id = cleaned_data.get("login_id")
        if (
            login_id
            and User.objects.filter(login_id__iexact=login_id)
            .exclude(pk__in=User.objects.stale_sign_ups().values("pk"))
            .exists()
        ):
            self.add_error(
                "login_id"
                if self.data.get("login_id", "").strip()
                else "personnel_number",
                forms.ValidationError(
                    _(
                        "The Nutzerkennung “%(login_id)s” is taken. Please choose "
                        "another one."
                    ),
                    code="login_id_taken",
                    params={"login_id": login_id},
                ),
            )

        office = cleaned_data.get("service_office")
        ministry = cleaned_data.get("ministry")
        if office and ministry and office.ministry_id != ministry.pk:
            self.add_error(
                "service_office",
                _("This service office does not belong to the chosen ministry."),
            )

        self.validate_passwords()
        return cleaned_data

    def _post_clean(self):
        super()._post_clean()
        self.validate_password_for_user(self.instance)

    def _get_validation_exclusions(self):
        # Both unique rules (Nutzerkennung, personnel number) are checked in
        # the clean methods with messages that say what to do, and with stale
        # sign-ups giving way; the database constraints stay as the backstop
        # against concurrent sign-ups.
        return super()._get_validation_exclusions() | {"login_id", "personnel_number"}

    def validate_unique(self):
        pass


class ProfileForm(KernFormMixin, forms.ModelForm):
    """The data a person keeps current; never the org unit or the Ressort."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone", "service_office"]
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "service_office"):
            self.fields[name].required = True
        # A dissolved office stays choosable for whoever is still filed under
        # it, so that saving other changes does not force a move.
        offices = ServiceOffice.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.service_office_id),
            ministry_id=self.instance.ministry_id,
        )
        self.fields["service_office"].queryset = offices
        self.fields["service_office"].choices = grouped_office_choices(offices)
        self.fields["service_office"].help_text = _(
            "The offices of your ministry, grouped under their superior office. "
            "Changing it does not change your Organisationseinheit."
        )
        self.fields["service_office"].widget.attrs["autocomplete"] = "organization"


@sensitive_variables("password")
def verify_current_password(user, password):
    """Check the signed-in user's password, at most a few wrong tries an hour.

    A session left open or taken over must not become a way to guess the
    password at full speed: after PORTAL_CURRENT_PASSWORD_LIMIT wrong
    answers within the hour even the right one is refused until it ends.
    """
    key = str(user.pk)
    if (
        throttle.recent(scope="current-password", key=key)
        >= settings.PORTAL_CURRENT_PASSWORD_LIMIT
    ):
        raise forms.ValidationError(
            _(
                "The password was entered wrongly too often. Please try again in "
                "an hour, or set a new one with “Kennwort vergessen”."
            ),
            code="password_throttled",
        )
    if not user.check_password(password):
        throttle.allow(
            scope="current-password",
            key=key,
            limit=settings.PORTAL_CURRENT_PASSWORD_LIMIT,
        )
        raise forms.ValidationError(
            _("The password is not correct."), code="password_incorrect"
        )


class CurrentPasswordForm(KernFormMixin, forms.Form):
    """A form that the signed-in user confirms with their current password."""

    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        verify_current_password(self.user, password)
        return password


class EmailChangeForm(CurrentPasswordForm):
    email = forms.EmailField(
        label=_("New e-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send a link to this address; it applies once you follow it."),
    )

    field_order = ["email", "password"]

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if email.casefold() == self.user.email.casefold():
            raise forms.ValidationError(
                _("This is already your e-mail address."), code="same_email"
            )
        return email


class KernPasswordChangeForm(KernFormMixin, PasswordChangeForm):
    @method_decorator(sensitive_variables())
    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        verify_current_password(self.user, old_password)
        return old_password

    @method_decorator(sensitive_variables())
    def clean(self):
        cleaned_data = super().clean()
        old_password = cleaned_data.get("old_password")
        if old_password and cleaned_data.get("new_password1") == old_password:
            self.add_error(
                "new_password1",
                forms.ValidationError(
                    _("The new password must differ from the current one."),
                    code="password_unchanged",
                ),
            )
        return cleaned_data


class SecondFactorTokenForm(KernFormMixin, forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off"}
        ),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split()).lower()


class SecondFactorRemoveForm(CurrentPasswordForm):
    """Removing the second factor asks for the current password."""


class PasswordResetRequestForm(KernFormMixin, forms.Form):
    login_id = forms.CharField(
        label=_("Nutzerkennung"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
        help_text=_("Usually the first eight digits of your LBV personnel number."),
    )

    def clean_login_id(self):
        return normalize_login_id(self.cleaned_data["login_id"])


class LoginIdReminderForm(KernFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
        help_text=_("The address you gave when you signed up."),
    )


class NewPasswordForm(KernFormMixin, SetPasswordForm):
    pass
