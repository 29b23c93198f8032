"""Forms of the criteria pages: the facts of a village and a commune's infrastructure."""

from __future__ import annotations

from django import forms

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
