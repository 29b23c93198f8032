"""What every app's forms share: Bootstrap's classes on the widgets, a service's problems
shown on the fields they name."""

from __future__ import annotations

from typing import Any

from django import forms

from ketnghia.core.errors import KetnghiaError, add_problems


class BootstrapForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes, invalid ones marked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound:
            return
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"

    def add_problems(self, error: KetnghiaError) -> None:
        """Show a service's problems on the fields they name, the others above the form.

        Works on an unbound form too (a write that takes no data, such as a revision), which
        Django's `add_error` alone would fail on.
        """
        if not self.is_bound:
            self.full_clean()  # an unbound form gets its (empty) error list here
            self.cleaned_data = {}
        add_problems(self, error)
