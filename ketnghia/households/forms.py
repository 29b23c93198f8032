"""Forms of the household pages: they carry what is typed; the services check its meaning.

Every field is text or a list, so the census import's own checks (through the services) say
what is wrong, in the same words a census file gets.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ketnghia.core.forms import BootstrapForm
from ketnghia.households.ethnicities import ETHNIC_GROUPS
from ketnghia.households.models import Relation, Sex
from ketnghia.poverty.domain import Area


class HouseholdForm(BootstrapForm):
    code = forms.CharField(label=_("Household code"), required=False, max_length=100)
    head_name = forms.CharField(label=_("Head of household"), required=False, max_length=300)
    village = forms.ChoiceField(label=_("Village"), required=False, choices=())
    area = forms.ChoiceField(
        label=_("Area"),
        required=False,
        choices=[("", _("the village's own")), *Area.choices],
        help_text=_("Set only where the household's area differs from its village's."),
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=255)
    registered_year = forms.IntegerField(
        label=_("Registered in"), required=False, min_value=1900, max_value=2100
    )
    left_year = forms.IntegerField(
        label=_("Left in"), required=False, min_value=1900, max_value=2100
    )

    def __init__(
        self, *args: Any, villages: list[tuple[str, str]], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", "—"), *villages]
        if editing:
            # Census files match households by code: it never changes once registered.
            del self.fields["code"]
        else:
            del self.fields["left_year"]


class MemberForm(BootstrapForm):
    full_name = forms.CharField(label=_("Full name"), required=False, max_length=300)
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", "—"), *Sex.choices])
    birth_year = forms.CharField(label=_("Birth year"), required=False, max_length=10)
    ethnicity = forms.ChoiceField(
        label=_("Ethnicity"), required=False, choices=[("", "—"), *ETHNIC_GROUPS]
    )
    relation = forms.ChoiceField(
        label=_("Relation to head"), required=False, choices=[("", "—"), *Relation.choices]
    )
    personal_id = forms.CharField(
        label=_("Personal ID number"),
        required=False,
        max_length=20,
        help_text=_("12 digits (9 on an old ID card)."),
    )

    def __init__(self, *args: Any, may_set_ids: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_set_ids:
            # Shown masked beside the form; never sent, never changed.
            del self.fields["personal_id"]
