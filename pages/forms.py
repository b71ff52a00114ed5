from django import forms

from pages.models import AccessibilityFeedback
from portal.forms import KernFormMixin


class AccessibilityFeedbackForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = AccessibilityFeedback
        fields = ["message", "page_url", "name", "email"]
        widgets = {"message": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["page_url"].widget.attrs["autocomplete"] = "off"
