"""Form helpers shared by the apps: KERN UX markup and accessible errors."""

from django import forms


def _kern_class(widget):
    if isinstance(widget, forms.Select):
        return "kern-form-input__select"
    if isinstance(widget, forms.CheckboxInput):
        return "kern-form-check__checkbox"
    return "kern-form-input__input"


class KernFormMixin:
    """Give every widget KERN's classes and tie hints and errors to it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", _kern_class(field.widget))
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
