"""Forms of the census pages: they check the shape of what is typed; the services check meaning.

Every write goes through `ketnghia.census.services`; a form never saves anything itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ketnghia.census.models import Status
from ketnghia.census.selectors import posting_min_working_days
from ketnghia.census.workflow import ORDER
from ketnghia.core.errors import InvalidInput
from ketnghia.core.forms import BootstrapForm
from ketnghia.poverty.domain import Standard
from ketnghia.poverty.standards import standard_for_year

# Officers type dates the Vietnamese way; browsers' date pickers send ISO dates.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label, input_formats=DATE_INPUT_FORMATS, widget=DateInput(), **kwargs
    )


def _standard_choices(
    standards: Mapping[str, Standard], blank_label: str | None = None
) -> list[tuple[str, str]]:
    # The legal name only: the code (`vn-2022`) is the system's key, not a reader's word.
    choices = [(code, str(standard.name)) for code, standard in standards.items()]
    return [("", blank_label), *choices] if blank_label is not None else choices


class RoundCreateForm(BootstrapForm):
    """Open a census round; `standards` are the national and local standards to offer."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    standard = forms.ChoiceField(
        label=_("Poverty standard"),
        required=False,
        choices=(),
        help_text=_("Leave empty for the national standard in force that year."),
    )

    def __init__(self, *args: Any, standards: Mapping[str, Standard], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standard"].choices = _standard_choices(standards, str(_("in force that year")))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("year") and not data.get("standard"):
            try:
                data["standard"] = standard_for_year(data["year"]).code
            except InvalidInput as exc:
                self.add_problems(exc)
        return data


class AdvanceForm(BootstrapForm):
    target = forms.ChoiceField(choices=[(s, s) for s in ORDER[1:]])


class MeetingForm(BootstrapForm):
    meeting_date = _date_field(_("Meeting date"))
    participants = forms.IntegerField(label=_("Participants"), min_value=1)
    agreeing = forms.IntegerField(label=_("Participants agreeing"), min_value=0)
    minutes = forms.FileField(
        label=_("Minutes (scan or file)"),
        required=False,
        help_text=_(
            "Required before the meeting step; leave empty to keep the file already attached."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        participants, agreeing = data.get("participants"), data.get("agreeing")
        if participants is not None and agreeing is not None and agreeing > participants:
            self.add_error("agreeing", _("More participants agree than took part in the meeting."))
        return data


class PostingForm(BootstrapForm):
    start = _date_field(_("Posted from"))
    end = _date_field(_("Posted until"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["end"].help_text = _(
            "The list stays posted at least %(days)s working days (Monday to Friday)."
        ) % {"days": posting_min_working_days()}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The posting cannot end before it starts."))
        return data


class ComplaintForm(BootstrapForm):
    received_on = _date_field(_("Received on"))
    household_code = forms.CharField(
        label=_("Household code"),
        required=False,
        max_length=40,
        help_text=_("The household the complaint is about, if any."),
    )
    text = forms.CharField(label=_("Complaint"), widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(BootstrapForm):
    resolved_on = _date_field(_("Resolved on"))
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 2}))


class OverrideForm(BootstrapForm):
    household_code = forms.CharField(label=_("Household code"), max_length=40)
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with your name as approver, in the household's history."),
    )


class RecomputeForm(BootstrapForm):
    year = forms.TypedChoiceField(label=_("Census year"), coerce=int, choices=())
    standard = forms.ChoiceField(label=_("Recompute under"), choices=())

    def __init__(
        self, *args: Any, years: list[int], standards: Mapping[str, Standard], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.fields["standard"].choices = _standard_choices(standards)


class ImportForm(BootstrapForm):
    file = forms.FileField(
        label=_("Census file (.xlsx or .csv)"),
        help_text=_(
            "The filled-in template, or the CSV export of the census form's submissions "
            "from ODK Central or KoBoToolbox (recognised by its columns)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Check only (dry run): list every error, write nothing"),
        required=False,
        initial=True,
    )


class ReturnForm(BootstrapForm):
    """The district returns a round the commune approved, saying why."""

    reason = forms.CharField(
        label=_("Why it goes back to the commune"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The commune sees it on the round page; it stays in the round's history."),
    )
