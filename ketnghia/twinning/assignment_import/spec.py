"""Import the network's assignments from a .xlsx or .csv file: a spec `imports.run` runs.

`chunks` reads the people rows first (the file's people sheet, a people CSV, or a people file
beside it: `scope["companion"]`), then `check_rows` each chunk of assignment rows (`read`).
`plan`, in the import's transaction, looks the references up inside the user's scope
(`resolve`), locks the communes, plans the rows against the stored assignments and the
program's rules (`plan`) and fills the change preview: per commune, the new assignments, the
reassignments that close a stored one, the ends set, the decisions corrected, the rows
unchanged. Every problem is listed at once; any refuses the file. A commit that closes stored
assignments, or changes more than `KETNGHIA_IMPORT_CONFIRM_SHARE` of them (`imports.confirm`),
needs a confirmation; `write` writes it set-based, history kept. The same file imported again
changes nothing.

A file knows its commune (`imports.mark`): imported for another commune it is refused naming
both. Scope: `commune` (its code: the only commune the file may touch; none, the file's),
`companion` (a people file: path and name), `units` (in process: the `UnitScope` the user may
edit; else the actor's).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.gate import EVERYTHING, Action, UnitScope, scope_for
from ketnghia.core.text import format_number
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports import ImportReport
from ketnghia.imports.confirm import share_reasons
from ketnghia.imports.mark import Mark, check_mark
from ketnghia.imports.readers import ProblemList, Row, Table
from ketnghia.imports.spec import ImportSpec, register, run
from ketnghia.twinning.assignment_import import plan as planning
from ketnghia.twinning.assignment_import.read import (
    AssignmentLine,
    PersonLine,
    assignment_line,
    open_main,
    person_line,
    split_tables,
)
from ketnghia.twinning.assignment_import.resolve import (
    Resolved,
    commune_by_code,
    held_rows,
    resolve,
)
from ketnghia.twinning.assignment_import.write import write_plan
from ketnghia.twinning.models import Assignment, Twinning

# The change preview lists at most this many rows (the counts are always whole).
PREVIEW_ROWS = 200


@dataclass
class AssignmentImportReport(ImportReport):
    """What an assignments import did or (dry run) would do, with its change preview.

    `created` counts new assignments that close nothing stored, `reassigned` the new ones
    that close a stored one (`closed` the stored ones closed), `ended` the stored ones whose
    end the file sets, `updated` the decisions corrected. `by_commune` has the same counts per
    commune code; `changes` the rows that change something (row, commune, what, record).
    """

    reassigned: int = 0
    closed: int = 0
    ended: int = 0
    stored_before: int = 0
    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    # New people whose name and birth year stored people share: a located note each, the
    # stored number to write if the row means one of them (never merged by name).
    people_suggestions: list[str] = field(default_factory=list)
    by_commune: dict[str, dict[str, Any]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        # Assignments or people (`AssignmentSpec.plan` is None when neither changes).
        return self.would_change


def outcome_label(outcome: str) -> str:
    """Return the (translated) name of what a row does."""
    return {
        planning.CREATED: _("new"),
        planning.REASSIGNED: _("reassignment"),
        planning.ENDED: _("ended"),
        planning.CHANGED: _("decision corrected"),
        planning.UNCHANGED: _("unchanged"),
    }.get(outcome, outcome)


def preview_lines(report: AssignmentImportReport) -> list[str]:
    """Return the change preview as lines of text (the CLI's output)."""
    prefix = _("Dry run, nothing written. ") if report.dry_run else ""
    lines = [
        prefix
        + _(
            "%(file)s: %(rows)s rows; new assignments %(created)s, reassignments %(reassigned)s "
            "(closing %(closed)s stored ones), ended %(ended)s, decisions corrected "
            "%(changed)s, unchanged %(unchanged)s; people created %(people_created)s, "
            "updated %(people_updated)s."
        )
        % {
            "file": report.file,
            "rows": format_number(report.rows),
            "created": format_number(report.created),
            "reassigned": format_number(report.reassigned),
            "closed": format_number(report.closed),
            "ended": format_number(report.ended),
            "changed": format_number(report.updated),
            "unchanged": format_number(report.unchanged),
            "people_created": format_number(report.people_created),
            "people_updated": format_number(report.people_updated),
        }
    ]
    for code, counts in report.by_commune.items():
        lines.append(
            _(
                "  %(code)s %(name)s: new %(created)s, reassignments %(reassigned)s, ended "
                "%(ended)s, decisions corrected %(changed)s, unchanged %(unchanged)s"
            )
            % {"code": code, **counts}
        )
    for change in report.changes:
        closes = "; ".join(change["closes"])
        lines.append(
            _("  row %(row)s (%(what)s): %(record)s from %(start)s")
            % {
                "row": change["row"],
                "what": outcome_label(change["outcome"]),
                "record": change["record"],
                "start": change["start"],
            }
            + (_(", closes %(closes)s") % {"closes": closes} if closes else "")
        )
    lines.extend(f"  {note}" for note in report.people_suggestions)
    if report.needs_confirmation and not report.confirmed:
        lines.append(
            _("This import needs a confirmation: %(why)s")
            % {"why": " ".join(report.confirmation_reasons)}
        )
    return lines


@dataclass
class Context:
    units: UnitScope
    only: Unit | None  # the one commune the file may touch
    default: Unit | None  # the commune of rows that name none (the file's mark)
    companion: tuple[Path, str] | None  # a people file beside the file
    people: list[PersonLine] = field(default_factory=list)
    people_problems: list[Problem] = field(default_factory=list)


def _preview(report: AssignmentImportReport, resolved: Resolved, plan: planning.Plan) -> None:
    report.by_commune = {
        commune.code: {"name": commune.name, **dict.fromkeys(planning.OUTCOMES, 0)}
        for commune in sorted(resolved.communes.values(), key=lambda commune: commune.code)
    }
    closes = {c.wanted.index: c.closes for c in plan.creations}
    for row in sorted(resolved.wanted, key=lambda w: (w.where.sheet, w.where.number)):
        outcome = plan.outcomes.get(row.index, planning.UNCHANGED)
        report.by_commune[row.commune_code][outcome] += 1
        if outcome != planning.UNCHANGED and len(report.changes) < PREVIEW_ROWS:
            report.changes.append(
                {
                    "sheet": row.where.sheet,
                    "row": row.where.number,
                    "commune": row.commune_code,
                    "outcome": outcome,
                    "record": row.record,
                    "start": row.start.strftime("%d/%m/%Y"),
                    "end": row.end.strftime("%d/%m/%Y") if row.end else "",
                    "closes": [
                        f"{held.label} ({held.start:%d/%m/%Y} → {held.end:%d/%m/%Y})"
                        for held in closes.get(row.index, [])
                        if held.stored and held.end is not None
                    ],
                }
            )
    outcomes = list(plan.outcomes.values())
    report.created = outcomes.count(planning.CREATED)
    report.reassigned = outcomes.count(planning.REASSIGNED)
    report.ended = outcomes.count(planning.ENDED)
    report.updated = outcomes.count(planning.CHANGED)
    report.unchanged = outcomes.count(planning.UNCHANGED)
    report.closed = sum(1 for c in plan.creations for held in c.closes if held.stored)
    stored_communes = list(resolved.communes)
    report.stored_before = (
        Assignment.objects.filter(commune_id__in=stored_communes).count()
        + Twinning.objects.filter(commune_id__in=stored_communes).count()
    )
    people = resolved.people
    report.people_suggestions = [change.suggestion for change in people if change.suggestion]
    report.people_created = sum(change.person is None for change in people)
    report.people_updated = sum(
        change.person is not None and bool(change.changes) for change in people
    )
    report.people_unchanged = len(people) - report.people_created - report.people_updated


Planned = tuple[Resolved, planning.Plan] | None


class AssignmentSpec(ImportSpec[Context, AssignmentLine, Planned, AssignmentImportReport]):
    """The network's assignments (and people) of one commune, or of the communes it names."""

    name = "twinning.assignments"
    # The references are looked up even when cells were refused: every problem at once.
    plan_with_row_problems = True

    def make_report(self, *, file_name: str, dry_run: bool) -> AssignmentImportReport:
        return AssignmentImportReport(file=file_name, dry_run=dry_run)

    def open(self, path: Path, *, file_name: str) -> Table:
        return open_main(path, file_name)

    def context(
        self, *, actor: Actor, scope: Mapping[str, Any], mark: Mark, file_name: str
    ) -> Context:
        if "units" in scope:
            units = scope["units"]
        else:
            units = scope_for(actor, Action.EDIT) if actor is not None else EVERYTHING
        only = default = None
        if scope.get("commune"):
            only = Unit.objects.filter(code=scope["commune"], level=UnitLevel.COMMUNE).first()
            if only is None:
                raise InvalidInput(Problem(_("Upload not found."), Location(file=file_name)))
            check_mark(
                mark,
                commune_code=only.code,
                commune_name=only.name,
                year=None,
                file_name=file_name,
                commune_named=lambda code: getattr(commune_by_code(code, EVERYTHING), "name", None),
            )
            default = only
        elif mark.commune:
            # Rows that name no commune are of the one the file's mark names.
            default = commune_by_code(mark.commune, units)
            if default is None:
                raise InvalidInput(
                    Problem(
                        _("Unknown commune code “%(code)s”.") % {"code": mark.commune},
                        Location(file=file_name),
                    )
                )
        return Context(units, only, default, companion=scope.get("companion"))

    def chunks(
        self, table: Table, context: Context, report: AssignmentImportReport
    ) -> Iterator[Sequence[Any]]:
        """Read the people rows into the context, then yield the assignment rows' chunks."""
        tables = [split_tables(table)]
        if context.companion is not None:
            tables.append(split_tables(open_main(*context.companion)))
        for _assignments, people in tables:
            for row in people.rows() if people is not None else ():
                if person := person_line(row, context.people_problems):
                    context.people.append(person)
        for assignments, _people in tables:
            if assignments is not None:
                yield from super().chunks(assignments, context, report)

    def check_rows(
        self,
        rows: Sequence[Row],
        context: Context,
        problems: ProblemList,
        report: AssignmentImportReport,
    ) -> list[AssignmentLine]:
        lines = (assignment_line(row, problems) for row in rows)
        return [line for line in lines if line is not None]

    def check_all(
        self, context: Context, problems: ProblemList, report: AssignmentImportReport
    ) -> None:
        problems.extend(context.people_problems)
        if not report.rows and not context.people and not problems:
            problems.add(
                Problem(
                    _("The file has no assignment rows below its header."),
                    Location(file=report.file),
                )
            )

    def plan(
        self,
        items: list[AssignmentLine],
        context: Context,
        problems: ProblemList,
        report: AssignmentImportReport,
    ) -> Planned:
        resolved = resolve(
            assignments=items,
            people=context.people,
            scope=context.units,
            default_commune=context.default,
            only_commune=context.only,
        )
        problems.extend(resolved.problems)
        if problems:
            return None
        # One import at a time per commune; the stored rows are read again under the lock.
        list(Unit.objects.select_for_update().filter(pk__in=list(resolved.communes)))
        plan = planning.plan_rows(held_rows(resolved.wanted), resolved.wanted)
        problems.extend(plan.problems)
        _preview(report, resolved, plan)
        changes = plan.creations or plan.ends or plan.decisions
        # Nothing to write (None) when neither an assignment nor a person changes.
        if changes or any(c.person is None or c.changes for c in resolved.people):
            return resolved, plan
        return None

    def confirmation_reasons(
        self, plan: Planned, context: Context, report: AssignmentImportReport
    ) -> list[str]:
        reasons = []
        if report.people_suggestions:
            reasons.append(
                _(
                    "%(count)s new people have the name and birth year of stored people: a "
                    "new person is created for each; check the notes on their rows."
                )
                % {"count": format_number(len(report.people_suggestions))}
            )
        if report.closed or report.ended:
            reasons.append(
                _(
                    "It closes %(count)s stored assignments (%(closed)s by a reassignment, "
                    "%(ended)s by an end date)."
                )
                % {
                    "count": format_number(report.closed + report.ended),
                    "closed": format_number(report.closed),
                    "ended": format_number(report.ended),
                }
            )
        return reasons + share_reasons(
            changed=report.closed + report.ended + report.updated,
            before=report.stored_before,
            message=_(
                "It changes %(changed)s of the %(before)s stored assignments (%(percent)s "
                "%%, more than %(limit)s %%)."
            ),
        )

    def write(
        self,
        plan: Planned,
        context: Context,
        *,
        actor: Actor,
        reason: str,
        report: AssignmentImportReport,
    ) -> None:
        assert plan is not None  # a plan with problems is refused before
        write_plan(resolved=plan[0], plan=plan[1], actor=actor, reason=reason)


ASSIGNMENTS = register(AssignmentSpec())


def assignments_import(
    *,
    path: str | Path,
    people_path: str | Path | None = None,
    scope: UnitScope = EVERYTHING,
    commune: Unit | None = None,
    actor: Actor = None,
    dry_run: bool = False,
    confirm: bool = False,
) -> AssignmentImportReport:
    """Import the assignments (and people) of a file, all or nothing; return the report.

    `scope` is the units the user may edit: anything outside it is unknown to the import.
    `commune`, when given (the commune's page), is the only commune the file may touch.
    Raises InvalidInput listing every problem, ConfirmationNeeded (with the report) when
    the commit needs `confirm`; a dry run writes nothing.
    """
    people = Path(people_path) if people_path is not None else None
    return run(
        ASSIGNMENTS,
        path,
        actor=actor,
        scope={
            "commune": commune.code if commune is not None else "",
            "units": scope,
            "companion": (people, people.name) if people is not None else None,
        },
        dry_run=dry_run,
        confirm=confirm,
    )
