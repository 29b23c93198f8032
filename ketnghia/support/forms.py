"""Forms of the support pages: they check the shape of what is typed; services check meaning."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ketnghia.census.forms import BootstrapForm, _date_field
from ketnghia.support.models import (
    DocumentKind,
    EntryKind,
    Form,
    FundSource,
    Multiplier,
    PackageKind,
    RecipientLevel,
)


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


# --- creating documents, funds, ledger entries and packages (`views_entry`) ----------------


class DocumentForm(BootstrapForm):
    program = ChoiceByName(label=_("Program"), queryset=None)
    number = forms.CharField(label=_("Number and symbol"), max_length=80)
    issued_on = _date_field(_("Date issued"))
    issuer = forms.CharField(label=_("Issuing body"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    unit = ChoiceByName(label=_("Issuing unit"), queryset=None)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachment_file = forms.FileField(label=_("Document file (PDF, Word)"), required=False)

    def __init__(self, *args, programs=None, units=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["unit"].queryset = units


class FundForm(BootstrapForm):
    document = ChoiceByName(label=_("Document"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    source = forms.ChoiceField(label=_("Source"), choices=FundSource.choices)
    unit = ChoiceByName(label=_("Unit whose budget it is"), queryset=None)
    organisation = ChoiceByName(
        label=_("Giver (twinning unit, enterprise)"), queryset=None, required=False
    )

    def __init__(self, *args, documents=None, units=None, organisations=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents
        self.fields["unit"].queryset = units
        self.fields["organisation"].queryset = organisations


class LedgerEntryForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=EntryKind.choices)
    amount = forms.CharField(
        label=_("Amount (VND)"),
        help_text=_("An adjustment may be negative (-5.000.000)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    entered_on = _date_field(_("Date"))
    reason = forms.CharField(
        label=_("Reason (required for an adjustment)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PackageForm(BootstrapForm):
    document = ChoiceByName(label=_("Document"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind"), choices=PackageKind.choices)
    form = forms.ChoiceField(label=_("Form"), choices=Form.choices)
    unit = forms.CharField(label=_("Unit of quantity"), max_length=30)
    unit_value = forms.CharField(
        label=_("Value per unit (VND)"), widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    quantity = forms.CharField(
        label=_("Quantity per recipient"), widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    multiplier = forms.ChoiceField(label=_("Multiplied by"), choices=Multiplier.choices)
    cap = forms.CharField(
        label=_("Cap per recipient (empty: none)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    recipient_level = forms.ChoiceField(label=_("Recipient"), choices=RecipientLevel.choices)
    target_rule = forms.CharField(
        label=_("Target rule"),
        help_text=_(
            "A condition in the criteria language; the example in the box chooses the poor "
            "households of a key commune."
        ),
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "spellcheck": "false",
                "placeholder": "poor == 1 and key_commune == 1",
            }
        ),
    )

    def __init__(self, *args, documents=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents


class DeliveryUploadForm(BootstrapForm):
    file = forms.FileField(label=_("Filled template (.xlsx) or the field form's export (.csv)"))
