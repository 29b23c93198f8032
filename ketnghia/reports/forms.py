"""The narrative editor: the summary in both languages and the heading of the Word file."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ketnghia.reports.services import MAX_NARRATIVE


class NarrativeForm(forms.Form):
    program = forms.CharField(widget=forms.HiddenInput, max_length=40)
    baseline = forms.IntegerField(widget=forms.HiddenInput, min_value=1990, max_value=2100)
    year = forms.IntegerField(widget=forms.HiddenInput, min_value=1990, max_value=2100)
    threshold = forms.FloatField(
        widget=forms.HiddenInput, required=False, min_value=0.1, max_value=100
    )
    unit = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    include_unapproved = forms.BooleanField(widget=forms.HiddenInput, required=False)
    narrative_vi = forms.CharField(
        label=_("I. Results achieved (Vietnamese)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_NARRATIVE,
    )
    narrative_en = forms.CharField(
        label=_("Summary (English)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_NARRATIVE,
        required=False,
    )
    shortcomings = forms.CharField(
        label=_("II. Shortcomings and their causes"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_NARRATIVE,
        required=False,
    )
    lessons = forms.CharField(
        label=_("III. Lessons learned"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_NARRATIVE,
        required=False,
    )
    directions = forms.CharField(
        label=_("IV. Directions and tasks"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_NARRATIVE,
        required=False,
    )
    recommendations = forms.CharField(
        label=_("V. Recommendations"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_NARRATIVE,
        required=False,
    )
    issuer_superior = forms.CharField(
        label=_("Issuer's superior body"), max_length=200, required=False
    )
    issuer = forms.CharField(label=_("Issuer"), max_length=200, required=False)
    document_number = forms.CharField(label=_("Number and symbol"), max_length=100, required=False)
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    recipients = forms.CharField(
        label=_("Recipients (one a line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    signer_on_behalf = forms.CharField(
        label=_("Signing on behalf of (TM.)"), max_length=200, required=False
    )
    signer_title = forms.CharField(label=_("Signer's title"), max_length=200, required=False)
    signer_name = forms.CharField(label=_("Signer's name"), max_length=200, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.visible_fields():
            field.field.widget.attrs.setdefault("class", "form-control form-control-sm")
