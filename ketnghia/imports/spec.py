"""The importer protocol (a spec) and the one entry point that runs every spec, `run`.

A spec says what a file of one kind holds and what importing it means; `run` does the rest,
the same way for every kind of file (design rule 3 and 12):

1. the file's size is checked and its table opened (`fields` → `readers.Column`s);
2. `context` resolves the scope (the commune, team, round… the import is for, inside what
   the actor may touch) and checks the file's mark (`imports.mark`);
3. the rows are read in chunks of `chunk_rows` and each chunk checked by `check_rows` —
   pure checks, no write; every problem is collected, located at file, sheet, row, column;
4. in one transaction, `plan` checks the rows against stored data and returns the
   difference from what is stored; the report carries the preview (`preview`);
5. `confirmation_reasons` — the one confirmation rule (`imports.confirm`) — then `write`,
   set-based, its history rows written in bulk; a dry run stops before it.

Any problem refuses the whole file (`InvalidInput`); nothing is written.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.imports import ImportReport
from ketnghia.imports.confirm import require_confirmation
from ketnghia.imports.files import check_file
from ketnghia.imports.mark import Mark, file_mark
from ketnghia.imports.readers import (
    CellError,
    Column,
    ProblemList,
    Row,
    Table,
    cell_code,
    cell_date,
    cell_decimal,
    cell_fraction,
    cell_int,
    cell_percent,
    cell_text,
    open_table,
)

if TYPE_CHECKING:
    from ketnghia.accounts.models import Actor

Progress = Callable[[int, int | None], None]
ContextT = TypeVar("ContextT")
ItemT = TypeVar("ItemT")
PlanT = TypeVar("PlanT")
ReportT = TypeVar("ReportT", bound=ImportReport)
SpecT = TypeVar("SpecT", bound="ImportSpec[Any, Any, Any, Any]")

_PARSERS: dict[str, Callable[[Any], Any]] = {
    "text": cell_text,
    "code": cell_code,
    "int": cell_int,
    "decimal": cell_decimal,
    "date": cell_date,
    "percent": cell_percent,
    "fraction": cell_fraction,
}


@dataclass(frozen=True)
class Field:
    """A column of an importer's file: Vietnamese header, other accepted names, type, help.

    `header` is what the template writes (Vietnamese); `names` are other headers accepted
    (ODK/KoBo field names, short spellings), matched without diacritics, case or
    punctuation. `type` is one of text, code, int, decimal, date, percent (0–100), fraction
    (0–1, also "50%").
    """

    key: str
    header: str
    names: tuple[str, ...] = ()
    type: str = "text"
    required: bool = False
    help: str = ""

    def column(self) -> Column:
        names = tuple(dict.fromkeys(n for n in (self.header, *self.names) if n))
        return Column(self.key, names, required=self.required, percent=self.type == "percent")

    def parse(self, row: Row, problems: ProblemList, *, blank: str | None = None) -> Any:
        """Return the cell of `row` parsed by type (None when blank or refused, located);
        with `blank`, a blank cell is a problem saying so."""
        if row.is_blank(self.key):
            if blank is not None:
                problems.add(row.problem(self.key, blank))
            return None
        try:
            return _PARSERS[self.type](row.get(self.key))
        except CellError as error:
            problems.add(row.problem(self.key, str(error)))
            return None


class ImportSpec(Generic[ContextT, ItemT, PlanT, ReportT]):
    """What one kind of file holds and what importing it means; subclass and register it.

    Override `fields`, `context`, `check_rows`, `plan`, `write` (and, as needed,
    `confirmation_reasons`, `preview`, `template`, `make_report`). `name` is the key the
    job model and the CLI use (`register`, `spec_get`).
    """

    name: ClassVar[str] = ""
    fields: ClassVar[Sequence[Field]] = ()
    # Rows checked per step; the file's rows beyond `max_rows` refuse it.
    chunk_rows: ClassVar[int] = 5000
    max_rows: ClassVar[int | None] = None
    # Read and check the rows inside the import's one transaction too (a spec that stages
    # its checked rows in a temporary table, `imports.staging`, for set-based checks).
    whole_in_transaction: ClassVar[bool] = False
    # Whether `plan` runs even when the rows had problems, so the file's problems against
    # stored data are listed with its cells' problems (all at once); `plan` then sees the
    # rows as `check_rows` returned them, problems and all.
    plan_with_row_problems: ClassVar[bool] = False

    def too_many_rows(self, limit: int) -> str:
        return _("The file holds more than %(limit)s rows; split it.") % {"limit": limit}

    def columns(self) -> tuple[Column, ...]:
        return tuple(field.column() for field in self.fields)

    def open(self, path: Path, *, file_name: str) -> Table:
        return open_table(path, self.columns(), name=file_name)

    def open_for(
        self, path: Path, *, file_name: str, actor: Actor, scope: Mapping[str, Any]
    ) -> Table:
        """Open the file for `scope` (a spec whose columns depend on the scope overrides it)."""
        return self.open(path, file_name=file_name)

    def chunks(self, table: Table, context: ContextT, report: ReportT) -> Iterator[Sequence[Any]]:
        """Yield the rows in chunks (`Row` lists; a spec may yield `Chunk`s of raw cells)."""
        return _chunks(table.rows(), self.chunk_rows)

    def rows_expected(self, context: ContextT) -> int | None:
        """Return how many rows the file is expected to hold (for progress), if known."""
        return None

    def check_all(self, context: ContextT, problems: ProblemList, report: ReportT) -> None:
        """Check the rows together once every chunk was checked (before any problem is
        raised, so problems of both kinds are listed at once)."""

    def finish(self, context: ContextT, report: ReportT) -> None:
        """End a run that raised nothing (the staging tables dropped); inside the
        transaction when `whole_in_transaction`."""

    def make_report(self, *, file_name: str, dry_run: bool) -> ReportT:
        return ImportReport(file=file_name, dry_run=dry_run)  # type: ignore[return-value]

    def context(
        self, *, actor: Actor, scope: Mapping[str, Any], mark: Mark, file_name: str
    ) -> ContextT:
        """Resolve the scope for `actor`, refusing what they may not touch and a file
        marked for another scope (`InvalidInput`)."""
        raise NotImplementedError

    def check_rows(
        self, rows: Sequence[Row], context: ContextT, problems: ProblemList, report: ReportT
    ) -> list[ItemT]:
        """Check a chunk of rows (no write); return what the valid rows mean."""
        raise NotImplementedError

    def plan(
        self, items: list[ItemT], context: ContextT, problems: ProblemList, report: ReportT
    ) -> PlanT:
        """Check `items` against stored data; return the difference from what is stored,
        counted into `report` (the preview)."""
        raise NotImplementedError

    def changes_anything(self, plan: PlanT) -> bool:
        return bool(plan)

    def confirmation_reasons(self, plan: PlanT, context: ContextT, report: ReportT) -> list[str]:
        """Return why committing `plan` needs an explicit confirmation (empty: it does not)."""
        return []

    def confirmation_message(self, reasons: list[str]) -> str | None:
        """Return the refusal's text (None: "Nothing was written: …" and the reasons)."""
        return None

    def write(
        self, plan: PlanT, context: ContextT, *, actor: Actor, reason: str, report: ReportT
    ) -> None:
        """Write `plan` set-based, with its history rows in bulk (`reason` names the file)."""
        raise NotImplementedError

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
    ) -> ImportReport:
        """Import one stored file (what a job runs): `run` with this spec.

        A second file beside the first (`companion`: path, name) is given to `context` as
        `scope["companion"]`.
        """
        return run(
            self,
            path,
            actor=actor,
            scope={**scope, "companion": companion} if companion else scope,
            file_name=file_name,
            dry_run=dry_run,
            confirm=confirm,
            progress=progress,
        )

    def error_workbook(self, path: Path, *, file_name: str, problems: list[Problem]) -> bytes:
        """Return the refused file back with its problems and faulty rows marked."""
        from ketnghia.core.errors import KetnghiaError
        from ketnghia.imports.error_workbook import error_workbook

        try:
            table: Table | None = self.open(path, file_name=file_name)
        except KetnghiaError:
            table = None  # the file itself could not be read: the problems alone
        return error_workbook(problems=problems, table=table)

    def template(self, context: ContextT) -> bytes:
        """Return the file to fill in, pre-filled and marked with its scope (`mark_workbook`)."""
        raise NotImplementedError


_SPECS: dict[str, ImportSpec[Any, Any, Any, Any]] = {}


def register(spec: SpecT) -> SpecT:
    """Register `spec` under its name (for the job model and the CLI); return it."""
    _SPECS[spec.name] = spec
    return spec


def spec_get(name: str) -> ImportSpec[Any, Any, Any, Any]:
    """Return the registered spec called `name` (KeyError when there is none)."""
    return _SPECS[name]


def spec_path(spec: ImportSpec[Any, Any, Any, Any]) -> str:
    """Return where `spec` is declared ("module:name"), what a job stores."""
    return f"{type(spec).__module__}:{spec.name}"


def spec_load(path: str) -> ImportSpec[Any, Any, Any, Any]:
    """Return the spec a job names ("module:name"), importing its module (a worker process)."""
    module, _sep, name = path.partition(":")
    importlib.import_module(module)
    return spec_get(name)


def history_reason(file_name: str) -> str:
    """Return the history's change reason of an import: the file it came from (≤ 100)."""
    return (_("import: %(file)s") % {"file": file_name})[:100]


def _chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while block := list(islice(rows, size)):
        yield block


def run(
    spec: ImportSpec[ContextT, ItemT, PlanT, ReportT],
    source: str | Path,
    *,
    actor: Actor,
    scope: Mapping[str, Any] | None = None,
    file_name: str | None = None,
    dry_run: bool = False,
    confirm: bool = False,
    progress: Progress | None = None,
) -> ReportT:
    """Import the file at `source` with `spec` for `actor` inside `scope`; all or nothing.

    Raises InvalidInput listing every problem, or ConfirmationNeeded (its report holding the
    preview) when the commit needs `confirm`. A dry run, and a file that changes nothing,
    write nothing. `progress(done, total)` is called after each chunk.
    """
    path = Path(source)
    name = file_name or path.name
    check_file(path, name)
    table = spec.open_for(path, file_name=name, actor=actor, scope=scope or {})
    context = spec.context(
        actor=actor, scope=scope or {}, mark=file_mark(path, table), file_name=name
    )
    report = spec.make_report(file_name=name, dry_run=dry_run)
    whole = transaction.atomic() if spec.whole_in_transaction else contextlib.nullcontext()
    with whole:
        problems = ProblemList()
        items: list[ItemT] = []
        for chunk in spec.chunks(table, context, report):
            report.rows += len(chunk)
            if spec.max_rows is not None and report.rows > spec.max_rows:
                raise InvalidInput(Problem(spec.too_many_rows(spec.max_rows), Location(file=name)))
            items.extend(spec.check_rows(chunk, context, problems, report))
            if progress is not None:
                progress(report.rows, spec.rows_expected(context))
        spec.check_all(context, problems, report)
        if not report.warnings:
            report.warnings = list(table.warnings.items)
        if not spec.plan_with_row_problems:
            problems.raise_if_any()
        with transaction.atomic():
            plan = spec.plan(items, context, problems, report)
            problems.raise_if_any()
            report.confirmation_reasons = spec.confirmation_reasons(plan, context, report)
            report.needs_confirmation = bool(report.confirmation_reasons)
            report.confirmed = confirm
            report.would_change = spec.changes_anything(plan)
            if not dry_run and report.would_change:
                require_confirmation(
                    report.confirmation_reasons,
                    report,
                    file_name=name,
                    confirm=confirm,
                    dry_run=dry_run,
                    message=spec.confirmation_message(report.confirmation_reasons),
                )
                spec.write(plan, context, actor=actor, reason=history_reason(name), report=report)
        spec.finish(context, report)
    if progress is not None and not dry_run and report.would_change:
        progress(report.rows, report.rows)
    return report
