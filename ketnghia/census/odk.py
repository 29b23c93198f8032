"""ODK and KoBoToolbox: the census as an XLSForm, and its submissions back through the import.

`census_xlsform` writes the household questionnaire of one poverty standard as an XLSForm
workbook (sheets survey, choices, settings) that ODK Central, KoBoToolbox and pyxform read.
Labels are Vietnamese first with English beside them (`label::English (en)`), both taken from
the project's catalogue and the standard's own bilingual names.

`odk_import` reads the CSV export of that form's submissions, whatever the server called its
columns (`household-code` in ODK Central, `household/code` in KoBoToolbox, bare names when
the form has no groups): the census spec reads it under those names (`OdkSpec`, run by
`imports.run`): the same validation, the same all-or-nothing commit, the same report.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ketnghia.accounts.models import Actor
from ketnghia.census.importing import CensusImportReport
from ketnghia.census.importing import columns as cols
from ketnghia.census.importing.columns import census_columns
from ketnghia.census.importing.pipeline import CensusRun, CensusSpec, refuse_frozen
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.formatting import format_count
from ketnghia.core.text import fold
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports.readers import CSV_SUFFIXES, Chunk, Column, Table, column_letter, open_table
from ketnghia.imports.spec import register
from ketnghia.imports.xlsform import (
    both,
    choice,
    fixed,
    group,
    in_vietnamese,
    named,
    row,
    xlsform,
)
from ketnghia.imports.xlsform import form_id as xlsform_id
from ketnghia.poverty.domain import Area, Standard
from ketnghia.poverty.selectors import standard_get

# Group and question names: an ODK Central export names a column `group-name`, KoBoToolbox
# `group/name`, so these are also what `odk_import` recognises.
HOUSEHOLD_GROUP = "household"
DEPRIVATION_GROUP = "deprivations"
COMMUNE_FIELD = "commune_code"
YES, NO = "yes", "no"
# ODK stores integers as 32-bit values: a ceiling above this would make the constraint lie.
_XFORM_INT_MAX = 2_147_483_647


class _Count(int):
    """An integer that prints in the active language's digit grouping (one per form language)."""

    def __str__(self) -> str:
        return format_count(int(self))


def _villages(commune: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(
            parent=commune, level=UnitLevel.VILLAGE, valid_to__isnull=True
        ).order_by("code")
    )


def form_id(standard: Standard, commune: Unit | None = None) -> str:
    """Return the form's id: the same form for the same standard and commune, across versions."""
    return xlsform_id("census", standard.code, *([commune.code] if commune else []))


def _household(commune: Unit | None, villages: list[Unit], ceiling: int) -> list[dict]:
    # Without a commune's villages to choose from, their code or name is typed. Required
    # either way: the import refuses a household without a village where the commune has
    # villages, and a form without them cannot know whether it has.
    typed = gettext_noop("The village's code or name, as the commune writes it.")
    village = row(
        "select_one villages" if villages else "text",
        "village",
        gettext_noop("Village"),
        hint=None if villages else typed,
        required="yes",
    )
    area = "" if commune is None else Area.URBAN if commune.is_urban else Area.RURAL
    return [
        row(
            "text",
            "code",
            gettext_noop("Household code"),
            hint=gettext_noop(
                "The code the commune gives the household; unique within the commune."
            ),
            required="yes",
        ),
        village,
        row("text", "head_name", gettext_noop("Head of household"), required="yes"),
        row(
            "select_one area",
            "area",
            gettext_noop("Area"),
            required="yes",
            default=str(area),
            appearance="horizontal",
        ),
        row(
            "integer",
            "member_count",
            gettext_noop("Number of members"),
            required="yes",
            constraint=f". >= 1 and . <= {cols.MAX_MEMBERS}",
            constraint_message=both(
                gettext_noop("Between 1 and %(maximum)s members."), maximum=cols.MAX_MEMBERS
            ),
        ),
        row(
            "integer",
            "monthly_income_per_person",
            gettext_noop("Monthly income per person (VND)"),
            hint=gettext_noop("Average income of one member in one month, in dong, digits only."),
            required="yes",
            constraint=f". >= 0 and . <= {ceiling}",
            constraint_message=both(
                gettext_noop("The income cannot be negative or above %(ceiling)s VND a month."),
                ceiling=_Count(ceiling),
            ),
        ),
    ]


def census_xlsform(*, standard: Standard, commune: Unit | None = None) -> bytes:
    """Return the household census questionnaire of `standard` as an XLSForm (.xlsx bytes).

    With `commune`, the village question lists its villages and every submission records
    the commune's code. The version changes whenever the form's content does.
    """
    villages = _villages(commune) if commune is not None else []
    ceiling = min(standard.income_ceiling, _XFORM_INT_MAX)
    if commune is not None:
        # Recorded in every submission so an export of the wrong commune is caught on import.
        survey = [fixed(COMMUNE_FIELD, commune.code)]
    else:
        survey = [row("text", COMMUNE_FIELD, gettext_noop("Commune code"), required="yes")]
    survey += group(
        HOUSEHOLD_GROUP, gettext_noop("Household"), _household(commune, villages, ceiling)
    )
    if standard.indicators:
        deprived = gettext_noop("Is the household deprived of “%(indicator)s”?")
        questions = [
            row(
                "select_one yes_no",
                indicator.code,
                both(deprived, indicator=indicator.name),
                required="yes",
                appearance="horizontal-compact",
            )
            for indicator in standard.indicators
        ]
        survey += group(
            DEPRIVATION_GROUP,
            gettext_noop("Deprivations of basic social services"),
            questions,
            appearance="field-list",
        )
    choices = [
        choice("area", str(Area.RURAL), gettext_noop("Rural")),
        choice("area", str(Area.URBAN), gettext_noop("Urban")),
        choice("yes_no", YES, gettext_noop("Yes")),
        choice("yes_no", NO, gettext_noop("No")),
        *(named("villages", v.code, f"{v.name} ({v.code})") for v in villages),
    ]
    title = in_vietnamese(
        gettext_noop("Household poverty census (%(standard)s)"), standard=standard.code
    )
    return xlsform(
        title=f"{title} — {commune.name}" if commune is not None else title,
        form_id=form_id(standard, commune),
        survey=survey,
        choices=choices,
        version=f"{standard.code}-",
        instance_name="concat(${code}, ' – ', ${head_name})",
    )


# --- Import of the submissions ----------------------------------------------------------


@dataclass
class OdkImportReport(CensusImportReport):
    """What importing an ODK/KoBoToolbox export did: the census import's report, and what
    the export held beside it (submissions a reviewer rejected are left out, and counted)."""

    submissions: int = 0
    rejected: int = 0

    @property
    def census(self) -> CensusImportReport:
        return self


# Where the survey date comes from, best first: when the interview ended on the device, when
# it started, then when the server received it (possibly days later, after a sync).
_DATE_SOURCES = ("end", "start", "submission_date")
# Review states that mean "do not use this submission", folded: ODK Central's review state,
# KoBoToolbox's validation status as a value or (label exports) as its English label.
_REJECTED = frozenset({"rejected", "validation_status_not_approved", "not approved"})


def _odk_columns(standard: Standard) -> tuple[Column, ...]:
    """Return the export's columns: each field under its grouped and its bare name.

    `header_key` folds `household-code` (ODK Central) and `household/code` (KoBoToolbox)
    alike, so one name per grouping covers both servers.
    """

    def field(key: str, group: str, name: str, *, required: bool = True) -> Column:
        return Column(key, (f"{group}-{name}", name), required=required)

    return (
        field(cols.HOUSEHOLD_CODE, HOUSEHOLD_GROUP, "code"),
        field(cols.HEAD_NAME, HOUSEHOLD_GROUP, "head_name"),
        field(cols.INCOME, HOUSEHOLD_GROUP, "monthly_income_per_person"),
        field(cols.VILLAGE, HOUSEHOLD_GROUP, "village", required=False),
        field(cols.AREA, HOUSEHOLD_GROUP, "area", required=False),
        field(cols.MEMBER_COUNT, HOUSEHOLD_GROUP, "member_count", required=False),
        Column(cols.COMMUNE_CODE, (COMMUNE_FIELD,), required=False),
        *(
            field(cols.indicator_key(code), DEPRIVATION_GROUP, code)
            for code in standard.indicator_codes
        ),
        Column("end", ("end",), required=False),
        Column("start", ("start",), required=False),
        Column("submission_date", ("SubmissionDate", "_submission_time"), required=False),
        Column("review", ("ReviewState", "_validation_status"), required=False),
    )


def _survey_date(values: list[str], positions: dict[str, int]) -> str:
    """Return the day of the interview as yyyy-mm-dd in Vietnam's time zone.

    A timestamp that does not parse is passed on as it is, so the import reports it rather
    than the date being lost without a word.
    """
    for key in _DATE_SOURCES:
        index = positions.get(key)
        text = values[index].strip() if index is not None and index < len(values) else ""
        if not text:
            continue
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        if moment.tzinfo is not None:
            moment = timezone.localtime(moment)
        return moment.date().isoformat()
    return ""


def _rejected(values: list[str], positions: dict[str, int]) -> bool:
    index = positions.get("review")
    return index is not None and index < len(values) and fold(values[index]) in _REJECTED


# Columns only a form server writes (ODK Central, KoBoToolbox), folded: a census file made from
# the template has none of them, an export of the census form always has some.
_SERVER_COLUMNS = frozenset(
    {"key", "submissiondate", "meta-instanceid", "_uuid", "_submission_time", "__version__"}
)
_GROUP_PREFIXES = tuple(
    f"{group}{sep}" for group in (HOUSEHOLD_GROUP, DEPRIVATION_GROUP) for sep in "-/"
)
# Enough of a file to hold its header row, however many indicator columns the form has.
_HEADER_BYTES = 64 * 1024


def is_odk_export(path: Path) -> bool:
    """Return whether the file at `path` is a CSV export of the census form's submissions.

    So one upload takes both the filled-in template and the export an officer downloads from
    ODK Central or KoBoToolbox: the first non-empty line names the server's own columns or the
    form's groups. Only the file's first bytes are read.
    """
    if path.suffix.lower() not in CSV_SUFFIXES:
        return False
    with path.open("rb") as handle:
        head = handle.read(_HEADER_BYTES).decode("utf-8-sig", errors="replace")
    line = next((line for line in head.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=line.count)
    headers = {fold(name).strip() for name in next(csv.reader([line], delimiter=delimiter), [])}
    return bool(headers & _SERVER_COLUMNS) or any(h.startswith(_GROUP_PREFIXES) for h in headers)


def odk_export_open(*, standard: Standard, path: Path, file_name: str) -> Table:
    """Open an export of the census form with the columns its server gave them."""
    return open_table(path, _odk_columns(standard), name=file_name)


class OdkSpec(CensusSpec):
    """The CSV export of the census form's submissions (ODK Central, KoBoToolbox), read by
    the census spec under the export's own column names, so its problems name the columns
    as the export does. Rejected submissions are left out; the survey date comes from the
    interview's timestamps, as a column added after the export's last. Scope: `round`, as
    the census's."""

    name = "census.odk"

    def make_report(self, *, file_name: str, dry_run: bool) -> OdkImportReport:
        return OdkImportReport(file=file_name, dry_run=dry_run)

    def open_for(
        self, path: Path, *, file_name: str, actor: Actor, scope: Mapping[str, Any]
    ) -> Table:
        census_round = self._round(actor, scope, file_name)
        if path.suffix.lower() not in CSV_SUFFIXES:
            raise InvalidInput(
                Problem(
                    _("Import the CSV export of the submissions (ODK Central or KoBoToolbox)."),
                    Location(file=file_name),
                )
            )
        refuse_frozen(census_round, file_name)
        standard = standard_get(census_round.standard_code)
        return odk_export_open(standard=standard, path=path, file_name=file_name)

    def chunks(
        self, table: Table, context: CensusRun, report: CensusImportReport
    ) -> Iterator[Chunk]:
        assert isinstance(report, OdkImportReport)
        (layout,) = table.layouts
        width, positions = layout.width, layout.positions
        census_keys = {column.key for column in census_columns(context.standard)}
        # The census's columns where the export has them, the survey date after its last.
        at = {key: index for key, index in positions.items() if key in census_keys}
        at[cols.SURVEYED_ON] = width
        headers = {key: layout.headers[key] for key in at if key in layout.headers}
        # The reader describes a column as "C (end)": the export's own names, best first.
        sources = [
            layout.headers[key].split(" (", 1)[1][:-1] for key in _DATE_SOURCES if key in positions
        ]
        headers[cols.SURVEYED_ON] = f"{column_letter(width)} ({' / '.join(sources)})"
        for chunk in super().chunks(table, context, report):
            numbers, rows = [], []
            for number, values in zip(chunk.numbers, chunk.rows, strict=True):
                report.submissions += 1
                if _rejected(values, positions):
                    report.rejected += 1
                    continue
                numbers.append(number)
                padding = [""] * (width - len(values))
                rows.append([*values[:width], *padding, _survey_date(values, positions)])
            if rows:
                yield Chunk(chunk.file, chunk.sheet, numbers, rows, at, headers)


ODK = register(OdkSpec())
# The export goes through the census spec: the same checks, all or nothing, the same record
# of the import. Submissions a reviewer rejected (ODK Central's review state, KoBoToolbox's
# validation status) are left out and counted.
odk_import = ODK.import_into
