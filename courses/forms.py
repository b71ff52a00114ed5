from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courses.models import Course
from portal.forms import KernFormMixin


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CourseSearchForm(KernFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Number, title or words from the description."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    date_from = forms.DateField(
        label=_("Starting on or after"), required=False, widget=DateInput
    )
    date_to = forms.DateField(
        label=_("Starting on or before"), required=False, widget=DateInput
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("All formats")), *Course.Format.choices],
    )
    town = forms.ChoiceField(label=pgettext_lazy("location", "Place"), required=False)
    career_group = forms.TypedChoiceField(
        label=_("Career group"), required=False, coerce=int, empty_value=None
    )
    free_only = forms.BooleanField(
        label=_("Only courses with free places"), required=False
    )

    def __init__(self, *args, choices, **kwargs):
        """``choices`` are the lists of courses.catalogue.search_choices."""
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [
            ("", _("All places")),
            *((town, town) for town in choices.towns),
        ]
        self.fields["career_group"].choices = [
            ("", _("All career groups")),
            *choices.career_groups,
        ]

    def clean(self):
        cleaned_data = super().clean()
        date_from, date_to = cleaned_data.get("date_from"), cleaned_data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error(
                "date_to", _("The end of the period lies before its beginning.")
            )
        return cleaned_data


class CancelEnrollmentForm(KernFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        help_text=_("Optional; it helps the Fortbildungsreferat plan."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
