"""Import a commune's census from a .csv or .xlsx file: tolerant of form, strict about meaning.

`CensusSpec` is the census as a spec of the one import pipeline (`imports.run`: the size
check, the mark, chunks, every problem at once, the confirmation rule, one transaction).
Two phases (design rule 3). The file is read once, in chunks: each chunk is checked column by
column and classified (`checks`), and its rows go into a temporary staging table.
Checks across the whole file (a household code used twice) and the plan (which households
and entries would be created or changed) then run as SQL over that table, and a commit
writes it (`plan`).
If anything is wrong, every problem is raised at once (file, sheet, row, column) and nothing
is written; a dry run stops after the plan. A commit writes everything in the same
transaction, and records it in one `ImportBatch` that the created and changed entries point
to. A file that changes nothing (imported before) leaves no batch behind.

Python holds one chunk at a time, so memory stays flat in the file's size; the bulk of the
work is COPY and set-based SQL (design: "Scale-out path").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.census.importing import columns as cols
from ketnghia.census.importing import members as import_members
from ketnghia.census.importing.checks import STAGE_COLUMNS, CensusContext, check_chunk
from ketnghia.census.importing.columns import census_columns
from ketnghia.census.importing.plan import (
    CensusImportReport,
    check_overlap,
    plan_import,
    repeated_codes,
    write_import,
)
from ketnghia.census.importing.preview import confirmation_reasons
from ketnghia.census.models import CensusRound, ImportBatch, Status
from ketnghia.census.summaries import round_refresh
from ketnghia.census.workflow import is_frozen
from ketnghia.core.errors import InvalidInput, KetnghiaError, Location, Problem
from ketnghia.core.gate import Action, scope_for
from ketnghia.core.outputs import CSV_GUARD, csv_unquote
from ketnghia.core.personal_data import Disclosure, Kind
from ketnghia.geo.models import URBAN_KINDS, Unit, UnitLevel
from ketnghia.imports.error_workbook import error_workbook
from ketnghia.imports.files import file_sha256
from ketnghia.imports.mark import Mark, check_mark
from ketnghia.imports.readers import (
    CSV_SUFFIXES,
    Chunk,
    ProblemList,
    Table,
    header_key,
    open_table,
    workbook_sheets,
)
from ketnghia.imports.spec import ImportSpec, Progress, register
from ketnghia.imports.staging import StagingTable
from ketnghia.imports.values import Village, VillageLookup
from ketnghia.poverty.domain import Area, Standard
from ketnghia.poverty.selectors import standard_get

# Rows checked and classified per step: large enough that numpy and the database calls
# are amortised, small enough that a chunk of raw cells stays some tens of megabytes.
CHUNK_ROWS = 20_000
# Members born after the round's year named in the preview (the rest counted).
BORN_LATER_SHOWN = 10


def _unquote_csv(chunk: Chunk, keys: tuple[str, ...]) -> None:
    """Take the guard `core.outputs.csv_value` put before formula-like text off a CSV chunk."""
    for key in keys:
        index = chunk.positions.get(key)
        if index is None or CSV_GUARD not in {value[:1] for value in chunk.column(key) if value}:
            continue
        for values in chunk.rows:
            if index < len(values) and values[index][:1] == CSV_GUARD:
                values[index] = csv_unquote(values[index])
        chunk._columns = None  # the column view was taken before the change


def _unit_area(unit: Unit) -> str:
    return Area.URBAN if unit.is_urban or unit.kind in URBAN_KINDS else Area.RURAL


def census_context(census_round: CensusRound, standard: Standard) -> CensusContext:
    """Return what the checks need to know about the round's commune."""
    commune = census_round.commune
    villages = [
        Village(unit.pk, unit.code, unit.name, unit.path, _unit_area(unit))
        for unit in Unit.objects.filter(parent=commune, level=UnitLevel.VILLAGE).order_by("code")
    ]

    def find_communes(codes: set[str]) -> dict[str, str]:
        return dict(
            Unit.objects.filter(code__in=codes, level=UnitLevel.COMMUNE).values_list("code", "name")
        )

    return CensusContext(
        commune_code=commune.code,
        commune_name=commune.name,
        commune_path=commune.path,
        commune_area=_unit_area(commune),
        year=census_round.year,
        standard=standard,
        villages=VillageLookup(villages),
        find_communes=find_communes,
    )


def refuse_frozen(census_round: CensusRound, file_name: str) -> None:
    """Refuse a file for an approved round (InvalidInput)."""
    if census_round.pk is not None and is_frozen(census_round.state):
        raise InvalidInput(
            Problem(
                _("Round %(round)s is approved and can no longer change; start a revision instead.")
                % {"round": census_round},
                Location(file=file_name),
            )
        )


def census_import_open(*, census_round: CensusRound, path: str | Path, file_name: str) -> Table:
    """Open a census file for `census_round` (its standard's columns, the members sheet set
    aside), refusing an approved round or a file that cannot be imported into it."""
    refuse_frozen(census_round, file_name)
    members = import_members.members_sheet(workbook_sheets(Path(path), name=file_name))
    columns = census_columns(standard_get(census_round.standard_code))
    skip = [members] if members else []
    return open_table(Path(path), columns, name=file_name, skip_sheets=skip)


def _stage_members(
    path: Path, name: str, year: int, problems: ProblemList, report: CensusImportReport
) -> StagingTable | None:
    """Check and stage the workbook's members sheet, if it has one."""
    sheet = import_members.members_sheet(workbook_sheets(path, name=name))
    if sheet is None:
        return None
    table = open_table(path, import_members.MEMBER_COLUMNS, name=name, sheet=sheet)
    stage = StagingTable(import_members.STAGE_COLUMNS, prefix="census_members")
    stage.create()
    born_later: list[tuple[str, int]] = []
    for chunk in table.chunks(CHUNK_ROWS):
        stage.insert(
            import_members.check_member_chunk(
                chunk, year, problems, report.members, born_later=born_later
            )
        )
        report.members += len(chunk)
    # The count is kept; only the first few places are shown.
    report.members_born_later = len(born_later)
    report.members_born_later_rows = [f"{s} {row}" for s, row in born_later[:BORN_LATER_SHOWN]]
    stage.index("code")
    return stage


@dataclass
class CensusRun:
    """One census import's context: the round, what the checks know, the staging tables."""

    census_round: CensusRound
    standard: Standard
    checks: CensusContext
    mark: Mark
    file_name: str
    table: Table | None = None
    total: int | None = None
    line: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    stage: StagingTable | None = None
    members: StagingTable | None = None
    changes: StagingTable | None = None


class CensusSpec(ImportSpec[CensusRun, None, CensusImportReport, CensusImportReport]):
    """A commune's census of one year (.xlsx/.csv). Scope: `round` (a CensusRound, or its id
    for a job: then it must lie inside what the actor may edit).

    Checked in chunks of raw cells staged in a temporary table (`checks`), the whole file then
    checked, planned and written set-based in SQL (`plan`): all in one transaction.
    """

    name = "census.households"
    chunk_rows = CHUNK_ROWS
    whole_in_transaction = True

    def _round(self, actor: Actor, scope: Mapping[str, Any], file_name: str) -> CensusRound:
        found = scope.get("round")
        if isinstance(found, CensusRound):
            return found
        census_round = (
            CensusRound.objects.select_related("commune").filter(pk=found).first()
            if isinstance(found, int)
            else None
        )
        if census_round is None or (
            actor is not None
            and not scope_for(actor, Action.EDIT).contains_path(census_round.unit_path)
        ):
            raise InvalidInput(Problem(_("Upload not found."), Location(file=file_name)))
        return census_round

    def open_for(
        self, path: Path, *, file_name: str, actor: Actor, scope: Mapping[str, Any]
    ) -> Table:
        census_round = self._round(actor, scope, file_name)
        return census_import_open(census_round=census_round, path=path, file_name=file_name)

    def context(
        self, *, actor: Actor, scope: Mapping[str, Any], mark: Mark, file_name: str
    ) -> CensusRun:
        census_round = self._round(actor, scope, file_name)
        standard = standard_get(census_round.standard_code)
        checks = census_context(census_round, standard)
        check_mark(
            mark,
            commune_code=checks.commune_code,
            commune_name=checks.commune_name,
            year=census_round.year,
            file_name=file_name,
            commune_named=lambda code: checks.commune_named_by({code}).get(code),
        )
        return CensusRun(census_round, standard, checks, mark, file_name)

    def make_report(self, *, file_name: str, dry_run: bool) -> CensusImportReport:
        return CensusImportReport(file=file_name, dry_run=dry_run)

    def chunks(
        self, table: Table, context: CensusRun, report: CensusImportReport
    ) -> Iterator[Chunk]:
        census_round = context.census_round
        if census_round.pk is not None:
            # One import at a time per round; a page's step waits for it too.
            CensusRound.objects.select_for_update().filter(pk=census_round.pk).exists()
        report.round, report.round_year = str(census_round), census_round.year
        report.standard, report.sha256 = context.standard.code, file_sha256(table.path)
        context.table, context.total = table, table.count_lines()
        context.stage = StagingTable(STAGE_COLUMNS, prefix="census_stage")
        context.stage.create()

        def heard_height(_sheet: str, height: int) -> None:
            context.total = (context.total or 0) + height

        is_csv = table.path.suffix.lower() in CSV_SUFFIXES
        for chunk in table.chunks(CHUNK_ROWS, on_sheet_height=heard_height):
            if is_csv:
                _unquote_csv(chunk, (cols.HOUSEHOLD_CODE, cols.HEAD_NAME, cols.VILLAGE))
            yield chunk

    def rows_expected(self, context: CensusRun) -> int | None:
        return context.total

    def check_rows(
        self, rows: Any, context: CensusRun, problems: ProblemList, report: CensusImportReport
    ) -> list[None]:
        staged, statuses, skipped = check_chunk(rows, context.checks, problems, context.line)
        context.line += len(rows)
        report.skipped_rows += skipped
        context.statuses.update(statuses)
        assert context.stage is not None
        context.stage.insert(staged)
        return []

    def check_all(
        self, context: CensusRun, problems: ProblemList, report: CensusImportReport
    ) -> None:
        stage, table, name = context.stage, context.table, context.file_name
        assert stage is not None and table is not None
        stage.index("code")
        for code, sheet, row, first_sheet, first_row in repeated_codes(stage):
            where = (
                _("row %(row)s") % {"row": first_row}
                if first_sheet == sheet
                else _("sheet %(sheet)s, row %(row)s") % {"sheet": first_sheet, "row": first_row}
            )
            headers = table.layouts[table.sheets.index(sheet)].headers
            problems.add(
                Problem(
                    _("Household code “%(code)s” is used twice: also on %(where)s.")
                    % {"code": code, "where": where},
                    Location(name, sheet, row, headers.get(cols.HOUSEHOLD_CODE, "")),
                )
            )
        commune_id = context.census_round.commune_id
        members = _stage_members(table.path, name, context.census_round.year, problems, report)
        context.members = members
        if members is not None:
            problems.extend(
                import_members.resolve_masked_ids(members, commune_id=commune_id, file_name=name)
            )
            for code, sheet, row in import_members.unknown_households(members, stage):
                problems.add(
                    Problem(
                        _("Household %(code)s is not on the households sheet.") % {"code": code},
                        Location(file=name, sheet=sheet, row=row, column="A"),
                    )
                )
        if not problems and context.line == report.skipped_rows:
            problems.add(
                Problem(_("The file has no household rows below its header."), Location(file=name))
            )

    def plan(
        self,
        items: list[None],
        context: CensusRun,
        problems: ProblemList,
        report: CensusImportReport,
    ) -> CensusImportReport:
        """Count into `report` what committing the file changes (the report is the plan)."""
        census_round, stage = context.census_round, context.stage
        assert stage is not None
        if not context.mark.present:
            check_overlap(stage, commune=census_round.commune, file_name=context.file_name)
        # The commune's latest round before this one's year (latest revision).
        earlier = CensusRound.objects.filter(
            commune_id=census_round.commune_id, year__lt=census_round.year
        )
        previous = earlier.order_by("-year", "-revision").values_list("pk", flat=True).first()
        plan_import(
            stage,
            report,
            commune_id=census_round.commune_id,
            round_id=census_round.pk,
            year=census_round.year,
            previous_round_id=previous,
            indicator_codes=context.standard.indicator_codes,
        )
        report.by_status = {status: context.statuses.get(status, 0) for status in Status.values}
        if context.members is not None:
            context.changes = StagingTable((("code", "text"),), prefix="census_member_changes")
            context.changes.create()
            report.member_households_changed, report.members_written = import_members.plan(
                context.members,
                context.changes,
                commune_id=census_round.commune_id,
                year=census_round.year,
            )
        return report

    def changes_anything(self, plan: CensusImportReport) -> bool:
        return bool(
            plan.households_created
            or plan.households_updated
            or plan.created
            or plan.updated
            or plan.member_households_changed
        )

    def confirmation_reasons(
        self, plan: CensusImportReport, context: CensusRun, report: CensusImportReport
    ) -> list[str]:
        return confirmation_reasons(report)

    def write(
        self,
        plan: CensusImportReport,
        context: CensusRun,
        *,
        actor: Actor,
        reason: str,
        report: CensusImportReport,
    ) -> None:
        census_round, name = context.census_round, context.file_name
        if census_round.pk is None:
            raise ValueError("save the round before a real import")
        assert context.stage is not None
        user = actor if getattr(actor, "pk", None) else None
        batch = ImportBatch.objects.create(
            round=census_round,
            file_name=name[:255],
            file_sha256=report.sha256,
            imported_by=user,
            rows_read=report.rows,
            households_created=report.households_created,
            households_updated=report.households_updated,
            entries_created=report.created,
            entries_changed=report.updated,
            entries_unchanged=report.unchanged,
        )
        # The batch names the history rows (not only the file): "import #12: file.xlsx" (≤ 100).
        prefix = f"import #{batch.pk}: "
        batch_reason = prefix + name[: 100 - len(prefix)]
        history = {"actor": user, "reason": batch_reason, "when": timezone.now()}
        where = {"commune_id": census_round.commune_id, "year": census_round.year}
        write_import(
            context.stage, report, round_id=census_round.pk, batch_id=batch.pk, **where, **history
        )
        if report.member_households_changed and context.members and context.changes:
            import_members.write(context.members, context.changes, **where, **history)
        round_refresh(census_round=census_round)
        report.batch_id = batch.pk
        report.history_rows = True

    def execute(self, path: Path, **options: Any) -> CensusImportReport:
        """Import one file into the round: the filled-in template, or the CSV export of the
        census form's submissions (ODK Central, KoBoToolbox), which the ODK spec turns into
        a census file first. One upload, one command, for both."""
        from ketnghia.census.odk import ODK, is_odk_export

        if type(self) is CensusSpec and is_odk_export(path):
            return ODK.execute(path, **options)
        report = super().execute(path, **options)
        assert isinstance(report, CensusImportReport)
        return report

    def error_workbook(self, path: Path, *, file_name: str, problems: list[Problem]) -> bytes:
        # Kept on a job: the problems alone (the faulty rows, with their personal IDs, are
        # read again for the user who downloads them: `census_import_error_workbook`).
        return error_workbook(problems=problems, table=None)

    def finish(self, context: CensusRun, report: CensusImportReport) -> None:
        for table in (context.stage, context.members, context.changes):
            if table is not None:
                table.drop()
        if report.dry_run:
            transaction.set_rollback(True)  # whatever a dry run touched goes

    def import_into(
        self,
        *,
        census_round: CensusRound,
        path: str | Path,
        file_name: str | None = None,
        dry_run: bool = False,
        actor: Actor = None,
        progress: Progress | None = None,
        confirm: bool = False,
    ) -> CensusImportReport:
        """Import the households of a file into `census_round`, all or nothing (`execute`:
        `imports.run` with this spec).

        Raises InvalidInput listing every problem (nothing written). `file_name` is how
        messages name the file (its own name by default, never a server path).
        `progress(done, total)` is called as rows are read; `total` is an estimate, or None
        until it is known. A dry run, and a file that changes nothing, write nothing at all.
        `census_round` may be unsaved for a dry run (a round that does not exist yet).

        Before anything is written the report holds the change preview. A commit that would
        change more than `KETNGHIA_IMPORT_CONFIRM_SHARE` of the round's existing entries, or
        bring entries back to the previous round's values, is refused (`ConfirmationNeeded`,
        with the figures) unless `confirm`. A file marked for another commune or year is
        refused; an unmarked one whose codes mostly have other heads here, too
        (`plan.check_overlap`).
        """
        path = Path(path)
        report = self.execute(
            path,
            actor=actor,
            scope={"round": census_round},
            file_name=file_name or path.name,
            dry_run=dry_run,
            confirm=confirm,
            progress=progress,
        )
        assert isinstance(report, CensusImportReport)
        return report


CENSUS = register(CensusSpec())
census_import = CENSUS.import_into


def census_import_error_workbook(
    *,
    census_round: CensusRound,
    path: str | Path,
    file_name: str,
    problems: list[Problem],
    disclosure: Disclosure,
) -> bytes:
    """Return the error workbook of a refused census file: the problems and the faulty rows.

    A column headed as a personal ID passes `disclosure` (masked unless the gate allows).
    """
    id_headers = {header_key(alias) for alias in import_members.PERSONAL_ID_COLUMN.names}

    def cell_view(header: object, value: object) -> object:
        if isinstance(header, str) and header_key(header) in id_headers:
            return disclosure.show(
                value, kind=Kind.PERSONAL_ID, path=census_round.unit_path, subject=None
            )
        return value

    from ketnghia.census.odk import is_odk_export, odk_export_open

    try:
        if is_odk_export(Path(path)):
            standard = standard_get(census_round.standard_code)
            table: Table | None = odk_export_open(
                standard=standard, path=Path(path), file_name=file_name
            )
        else:
            table = census_import_open(census_round=census_round, path=path, file_name=file_name)
    except KetnghiaError:
        # The file itself could not be read (wrong type, missing columns): list the problems.
        table = None
    return error_workbook(problems=problems, table=table, cell_view=cell_view)
