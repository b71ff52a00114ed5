from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import KernFormMixin


class CourseSearchForm(KernFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Number, title or words from the description."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
