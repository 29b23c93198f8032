"""ODK and KoBoToolbox: the census as an XLSForm, and its submissions back through the import.

`census_xlsform` writes the household questionnaire of one poverty standard as an XLSForm
workbook (sheets survey, choices, settings) that ODK Central, KoBoToolbox and pyxform read.
Labels are Vietnamese first with English beside them (`label::English (en)`), both taken from
the project's catalogue and the standard's own bilingual names.

`odk_import` reads the CSV export of that form's submissions, whatever the server called its
columns (`household-code` in ODK Central, `household/code` in KoBoToolbox, bare names when
the form has no groups), and hands it to the census spec (`OdkSpec`, run by `imports.run`): the same validation, the same
all-or-nothing commit, the same report.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ketnghia.accounts.models import Actor
from ketnghia.census.importing import CensusImportReport, ConfirmationNeeded
from ketnghia.census.importing import columns as cols
from ketnghia.census.importing.cells import MAX_MEMBERS
from ketnghia.census.importing.columns import column_label
from ketnghia.census.importing.pipeline import CensusSpec
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.formatting import format_count
from ketnghia.core.text import fold
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports.readers import CSV_SUFFIXES, Column, Table, column_letter, open_table
from ketnghia.imports.spec import Progress, register, run
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
    if villages:
        village = row("select_one villages", "village", gettext_noop("Village"), required="yes")
    else:
        # Required: the import refuses a household without a village where the commune has
        # villages, and this form cannot know whether it has.
        village = row(
            "text",
            "village",
            gettext_noop("Village"),
            hint=gettext_noop("The village's code or name, as the commune writes it."),
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
            constraint=f". >= 1 and . <= {MAX_MEMBERS}",
            constraint_message=both(
                gettext_noop("Between 1 and %(maximum)s members."), maximum=MAX_MEMBERS
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


def _letters(column: str) -> str:
    return column.split(" ", 1)[0]


def _header_text(described: str) -> str:
    """Return the header of a reader's column description "E (household-code)"."""
    return described.split(" ", 1)[1][1:-1] if " " in described else described


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


def odk_export_to_census_csv(
    *, standard: Standard, path: Path, file_name: str, out: Path
) -> tuple[int, int, dict[str, str]]:
    """Write the export at `path` as a census CSV at `out`, row for row and column for column.

    Every record keeps its row number and every field its column letter, so what the census
    import says about `out` holds for the export; the survey date goes in an added last
    column. Returns (submissions, rejected, {column letters: the export's header}).
    """
    if path.suffix.lower() not in CSV_SUFFIXES:
        raise InvalidInput(
            Problem(
                _("Import the CSV export of the submissions (ODK Central or KoBoToolbox)."),
                Location(file=file_name),
            )
        )
    table = odk_export_open(standard=standard, path=path, file_name=file_name)
    (layout,) = table.layouts
    positions = dict(layout.positions)
    wanted = {key for key in positions if key.startswith(cols.INDICATOR_PREFIX)} | {
        cols.HOUSEHOLD_CODE,
        cols.HEAD_NAME,
        cols.INCOME,
        cols.VILLAGE,
        cols.AREA,
        cols.MEMBER_COUNT,
        cols.COMMUNE_CODE,
    }
    renamed = {positions[key]: column_label(standard, key) for key in wanted if key in positions}
    export_headers = {
        _letters(layout.headers[key]): _header_text(layout.headers[key])
        for key in wanted
        if key in positions
    }
    submissions = rejected = 0
    date_index: int | None = None
    # This CSV never leaves the server: the census import reads it at once and it is deleted,
    # so cells are copied exactly (no `core.outputs` guard, which would turn "-5" into text).
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for number, values in table.raw_rows(layout.sheet):
            if number < layout.header_row:
                writer.writerow([])
            elif number == layout.header_row:
                # Columns the census import does not read lose their header, so no name an
                # ODK server invents can ever be taken for one of the census's columns.
                header = [renamed.get(index, "") for index in range(len(values))]
                date_index = len(header)
                header.append(column_label(standard, cols.SURVEYED_ON))
                export_headers[column_letter(date_index)] = " / ".join(
                    _header_text(layout.headers[key]) for key in _DATE_SOURCES if key in positions
                )
                writer.writerow(header)
            elif not any(value.strip() for value in values):
                writer.writerow([])
            else:
                submissions += 1
                if _rejected(values, positions):
                    rejected += 1
                    writer.writerow([])
                    continue
                row = values + [""] * (date_index - len(values)) if date_index else values
                writer.writerow([*row[:date_index], _survey_date(values, positions)])
    return submissions, rejected, export_headers


def _in_export_terms(error: InvalidInput, file_name: str, headers: dict[str, str]) -> InvalidInput:
    """Return `error` with each column named as the export names it."""
    problems = []
    for problem in error.problems:
        location = problem.location
        letters = _letters(location.column) if location.column else ""
        if location.file == file_name and letters in headers:
            location = replace(location, column=f"{letters} ({headers[letters]})")
            problem = replace(problem, location=location)
        problems.append(problem)
    return InvalidInput(problems, count=error.count)


class OdkSpec(CensusSpec):
    """The CSV export of the census form's submissions (ODK Central, KoBoToolbox): made a
    census file, row for row and column for column, and imported by the census spec; its
    problems name the columns as the export does. Scope: `round`, as the census's."""

    name = "census.odk"

    def make_report(self, *, file_name: str, dry_run: bool) -> OdkImportReport:
        return OdkImportReport(file=file_name, dry_run=dry_run)

    def execute(
        self,
        path: Path,
        *,
        actor: Actor,
        scope: Mapping[str, Any],
        file_name: str,
        dry_run: bool,
        confirm: bool,
        progress: Progress | None = None,
        companion: tuple[Path, str] | None = None,
    ) -> OdkImportReport:
        census_round = self._round(actor, scope, file_name)
        standard = standard_get(census_round.standard_code)
        with tempfile.TemporaryDirectory(prefix="ketnghia-odk-") as directory:
            converted = Path(directory) / "census.csv"
            submissions, rejected, headers = odk_export_to_census_csv(
                standard=standard, path=path, file_name=file_name, out=converted
            )
            try:
                report = run(
                    self,
                    converted,
                    actor=actor,
                    scope={"round": census_round},
                    file_name=file_name,
                    dry_run=dry_run,
                    confirm=confirm,
                    progress=progress,
                )
            except ConfirmationNeeded:
                raise  # about the whole file: no column to rename, and the preview goes with it
            except InvalidInput as error:
                raise _in_export_terms(error, file_name, headers) from None
        report.submissions, report.rejected = submissions, rejected
        return report


ODK = register(OdkSpec())
# The export becomes a census file and goes through the census spec: the same checks, all or
# nothing, the same record of the import. Submissions a reviewer rejected (ODK Central's
# review state, KoBoToolbox's validation status) are left out and counted.
odk_import = ODK.import_into
