"""Forms of the criteria pages: the facts of a village and a commune's infrastructure."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ketnghia.criteria.models import CommuneInfrastructure, VillageFacts
from ketnghia.criteria.providers import VILLAGE_FACT_FIELDS
from ketnghia.criteria.services import INFRASTRUCTURE_FIELDS


class VillageFactsForm(forms.ModelForm):
    class Meta:
        model = VillageFacts
        fields = list(VILLAGE_FACT_FIELDS)


class InfrastructureForm(forms.ModelForm):
    class Meta:
        model = CommuneInfrastructure
        fields = list(INFRASTRUCTURE_FIELDS)


class ManualAssessmentForm(forms.Form):
    """A person's judgement of one assessed criterion, with its evidence."""

    criterion_code = forms.ChoiceField(label=_("criterion"))
    met = forms.BooleanField(label=_("met"), required=False)
    evidence = forms.CharField(label=_("evidence"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence_file = forms.FileField(label=_("evidence file"), required=False)
    assessor_name = forms.CharField(label=_("assessed by"), max_length=150)
    assessed_on = forms.DateField(label=_("assessed on"), input_formats=["%d/%m/%Y", "%Y-%m-%d"])

    def __init__(self, *args: Any, criteria: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criterion_code"].choices = criteria
