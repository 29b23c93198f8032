"""Forms of the support pages: they check the shape of what is typed; services check meaning."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ketnghia.census.forms import BootstrapForm, _date_field


class ChoiceByName(forms.ModelChoiceField):
    """A choice of records labelled by their name (their `__str__`), never an id."""


class CycleForm(BootstrapForm):
    package = ChoiceByName(label=_("Support package"), queryset=None)
    fund = ChoiceByName(label=_("Fund"), queryset=None)
    commune = ChoiceByName(label=_("Commune"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=255)
    decision_number = forms.CharField(label=_("Decision"), max_length=80, required=False)
    decision_date = _date_field(_("Decision date"))
    census_as_of = _date_field(
        _("Census status as of"),
        help_text=_("Recipients are chosen on the official census rounds as of this day."),
    )

    def __init__(self, *args, packages=None, funds=None, communes=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["package"].queryset = packages
        self.fields["fund"].queryset = funds
        self.fields["commune"].queryset = communes


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(BootstrapForm):
    on = _date_field(_("Approved on"))


class DeliverForm(BootstrapForm):
    delivered_on = _date_field(_("Delivered on"))


class RecipientForm(BootstrapForm):
    household_code = forms.CharField(label=_("Household code"), max_length=40, required=False)
    village = forms.CharField(label=_("Village (unit recipients)"), max_length=20, required=False)
    quantity = forms.CharField(label=_("Quantity (empty: as entitled)"), required=False)
    override_reason = forms.CharField(
        label=_("Reason, if outside the target rule"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SignedListForm(BootstrapForm):
    file = forms.FileField(label=_("Scan of the signed list (PDF, JPEG, PNG)"))
