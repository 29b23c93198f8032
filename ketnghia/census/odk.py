"""ODK and KoBoToolbox: the census as an XLSForm, and its submissions back through the import.

`census_xlsform` writes the household questionnaire of one poverty standard as an XLSForm
workbook (sheets survey, choices, settings) that ODK Central, KoBoToolbox and pyxform read.
Labels are Vietnamese first with English beside them (`label::English (en)`), both taken from
the project's catalogue and the standard's own bilingual names.

`odk_import` reads the CSV export of that form's submissions, whatever the server called its
columns (`household-code` in ODK Central, `household/code` in KoBoToolbox, bare names when
the form has no groups), and hands it to the census import: the same validation, the same
all-or-nothing commit, the same report.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.poverty.domain import Area, BilingualText, Standard

# Languages of the form: ODK wants "Name (code)" so Collect and Enketo can pick one.
LANGUAGES = (("vi", "Tiếng Việt (vi)"), ("en", "English (en)"))
DEFAULT_LANGUAGE = LANGUAGES[0][1]

# Group and question names: an ODK Central export names a column `group-name`, KoBoToolbox
# `group/name`, so these are also what `odk_import` recognises.
HOUSEHOLD_GROUP = "household"
DEPRIVATION_GROUP = "deprivations"
COMMUNE_FIELD = "commune_code"
HOUSEHOLD_FIELDS = (
    "code",
    "village",
    "head_name",
    "area",
    "member_count",
    "monthly_income_per_person",
)
YES, NO = "yes", "no"
# ODK stores integers as 32-bit values: a ceiling above this would make the constraint lie.
_XFORM_INT_MAX = 2_147_483_647
MAX_MEMBERS = 99

_SURVEY_COLUMNS = (
    "type",
    "name",
    *(f"label::{name}" for _code, name in LANGUAGES),
    *(f"hint::{name}" for _code, name in LANGUAGES),
    "required",
    "constraint",
    *(f"constraint_message::{name}" for _code, name in LANGUAGES),
    "default",
    "calculation",
    "appearance",
)
_CHOICE_COLUMNS = ("list_name", "name", *(f"label::{name}" for _code, name in LANGUAGES))
_FORM_ID = re.compile(r"[^A-Za-z0-9_]+")


@contextmanager
def _language(code: str) -> Iterator[None]:
    with translation.override(code):
        yield


def _both(message: str, **params: Any) -> dict[str, str]:
    """Return `message` (an English msgid) in each form language, keyed by the language name.

    A `BilingualText` parameter (a standard's indicator name) is given in the same language.
    """
    texts = {}
    for code, name in LANGUAGES:
        with _language(code):
            values = {
                key: (value.en or value.vi if code == "en" else value.vi)
                if isinstance(value, BilingualText)
                else value
                for key, value in params.items()
            }
            text = _(message)
            texts[name] = text % values if params else text
    return texts


def _row(type_: str, name: str = "", label: dict[str, str] | None = None, **extra: Any) -> dict:
    row: dict[str, Any] = {"type": type_, "name": name}
    for language, text in (label or {}).items():
        row[f"label::{language}"] = text
    for key in ("hint", "constraint_message"):
        for language, text in (extra.pop(key, None) or {}).items():
            row[f"{key}::{language}"] = text
    row.update(extra)
    return row


def _villages(commune: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(
            parent=commune, level=UnitLevel.VILLAGE, valid_to__isnull=True
        ).order_by("code")
    )


def form_id(standard: Standard, commune: Unit | None = None) -> str:
    """Return the form's id: the same form for the same standard and commune, across versions."""
    parts = ["ketnghia_census", standard.code] + ([commune.code] if commune else [])
    return _FORM_ID.sub("_", "_".join(parts)).strip("_").lower()


def _survey(standard: Standard, commune: Unit | None, villages: list[Unit]) -> list[dict]:
    ceiling = min(standard.income_ceiling, _XFORM_INT_MAX)
    rows = [_row("start", "start"), _row("end", "end")]
    if commune is not None:
        # Recorded in every submission so an export of the wrong commune is caught on import.
        rows.append(_row("calculate", COMMUNE_FIELD, calculation=f"'{commune.code}'"))
    else:
        rows.append(_row("text", COMMUNE_FIELD, _both("Commune code"), required="yes"))
    rows.append(_row("begin_group", HOUSEHOLD_GROUP, _both("Household")))
    rows.append(
        _row(
            "text",
            "code",
            _both("Household code"),
            hint=_both("The code the commune gives the household; unique within the commune."),
            required="yes",
        )
    )
    if villages:
        rows.append(_row("select_one villages", "village", _both("Village"), required="yes"))
    else:
        rows.append(
            _row("text", "village", _both("Village code"), hint=_both("Leave blank if unknown."))
        )
    rows.append(_row("text", "head_name", _both("Head of household"), required="yes"))
    area_default = ""
    if commune is not None:
        area_default = Area.URBAN if commune.is_urban else Area.RURAL
    rows.append(
        _row(
            "select_one area",
            "area",
            _both("Area"),
            required="yes",
            default=str(area_default),
            appearance="horizontal",
        )
    )
    rows.append(
        _row(
            "integer",
            "member_count",
            _both("Number of members"),
            required="yes",
            constraint=f". >= 1 and . <= {MAX_MEMBERS}",
            constraint_message=_both("Between 1 and %(maximum)s members.", maximum=MAX_MEMBERS),
        )
    )
    rows.append(
        _row(
            "integer",
            "monthly_income_per_person",
            _both("Monthly income per person (VND)"),
            hint=_both("Average income of one member in one month, in dong, digits only."),
            required="yes",
            constraint=f". >= 0 and . <= {ceiling}",
            constraint_message=_both(
                "The income cannot be negative or above %(ceiling)s VND a month.",
                ceiling=f"{ceiling:,}".replace(",", "."),
            ),
        )
    )
    rows.append(_row("end_group", HOUSEHOLD_GROUP))
    if standard.indicators:
        rows.append(
            _row(
                "begin_group",
                DEPRIVATION_GROUP,
                _both("Deprivations of basic social services"),
                appearance="field-list",
            )
        )
        for indicator in standard.indicators:
            rows.append(
                _row(
                    "select_one yes_no",
                    indicator.code,
                    _both(
                        "Is the household deprived of “%(indicator)s”?",
                        indicator=indicator.name,
                    ),
                    required="yes",
                    appearance="horizontal-compact",
                )
            )
        rows.append(_row("end_group", DEPRIVATION_GROUP))
    return rows


def _choice(list_name: str, name: str, label: dict[str, str]) -> dict[str, str]:
    return {"list_name": list_name, "name": name} | {
        f"label::{language}": text for language, text in label.items()
    }


def _choices(villages: list[Unit]) -> list[dict]:
    choices = [
        _choice("area", str(Area.RURAL), _both("Rural")),
        _choice("area", str(Area.URBAN), _both("Urban")),
        _choice("yes_no", YES, _both("Yes")),
        _choice("yes_no", NO, _both("No")),
    ]
    for village in villages:
        # Village names are proper names: the same in both languages.
        label = f"{village.name} ({village.code})"
        choices.append(_choice("villages", village.code, dict.fromkeys(_language_names(), label)))
    return choices


def _language_names() -> list[str]:
    return [name for _code, name in LANGUAGES]


def _sheet(workbook: Workbook, title: str, columns: tuple[str, ...], rows: list[dict]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(column, "") or None for column in columns])


def census_xlsform(*, standard: Standard, commune: Unit | None = None) -> bytes:
    """Return the household census questionnaire of `standard` as an XLSForm (.xlsx bytes).

    With `commune`, the village question lists its villages and every submission records
    the commune's code. The version changes whenever the form's content does.
    """
    villages = _villages(commune) if commune is not None else []
    survey = _survey(standard, commune, villages)
    choices = _choices(villages)
    digest = hashlib.sha256(repr((survey, choices)).encode()).hexdigest()[:10]
    with _language("vi"):
        title = _("Household poverty census (%(standard)s)") % {"standard": standard.code}
        if commune is not None:
            title = f"{title} — {commune.name}"
    settings_row = {
        "form_title": title,
        "form_id": form_id(standard, commune),
        "version": f"{standard.code}-{digest}",
        "default_language": DEFAULT_LANGUAGE,
        "instance_name": "concat(${code}, ' – ', ${head_name})",
    }
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "survey", _SURVEY_COLUMNS, survey)
    _sheet(workbook, "choices", _CHOICE_COLUMNS, choices)
    _sheet(workbook, "settings", tuple(settings_row), [settings_row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
