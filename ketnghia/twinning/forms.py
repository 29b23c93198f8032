"""Forms of the network pages; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ketnghia.twinning.models import ActivityKind


class ActivityForm(forms.Form):
    team = forms.TypedChoiceField(label=_("Work team"), coerce=int)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    village = forms.TypedChoiceField(
        label=_("Village"), coerce=int, required=False, empty_value=None
    )
    reached_male = forms.IntegerField(label=_("People reached, men"), min_value=0, initial=0)
    reached_female = forms.IntegerField(label=_("People reached, women"), min_value=0, initial=0)
    reached_minority = forms.IntegerField(
        label=_("People reached, ethnic minorities"), min_value=0, initial=0
    )
    resources_vnd = forms.IntegerField(label=_("Resources mobilised (VND)"), min_value=0, initial=0)
    resources_in_kind = forms.CharField(label=_("Resources in kind"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, teams=(), villages=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, str(t)) for t in teams]
        self.fields["village"].choices = [("", _("The whole commune"))] + [
            (v.pk, v.name) for v in villages
        ]
        for field in self.fields.values():
            widget = field.widget
            widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(widget, forms.Select)
                else "form-control form-control-sm",
            )


class ProposalAcceptForm(forms.Form):
    start_date = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    decision_number = forms.CharField(label=_("Decision number"), required=False, max_length=120)
    decision_date = forms.DateField(
        label=_("Decision date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
