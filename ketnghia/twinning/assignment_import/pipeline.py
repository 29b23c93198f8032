"""Import the network's assignments from a .xlsx or .csv file: two phases, all or nothing.

1. Read and check every row (`read`: cells; `resolve`: references inside the user's scope
   and the rules of one row; `plan`: the rows together against the stored assignments and
   the program's rules). Every problem is listed at once (file, sheet, row, column, and a
   message naming the record and the rule); any problem → `InvalidInput`, nothing written.
2. The change preview: per commune, the new assignments, the reassignments that close a
   stored one, the ends set, the decisions corrected, the rows unchanged. A commit that
   closes stored assignments, or changes more than `KETNGHIA_IMPORT_CONFIRM_SHARE` of the
   communes' stored assignments (the one rule of `imports.confirm`), is
   refused (`ConfirmationNeeded`) unless confirmed. Then one transaction writes it through
   the services (`write`), history kept. The same file imported again changes nothing.

A file knows its commune as every import's does (`imports.mark`): the template
names it in its document properties; imported for another commune it is refused naming both.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.gate import EVERYTHING, UnitScope
from ketnghia.core.text import format_number
from ketnghia.geo.models import Unit
from ketnghia.imports import ImportReport
from ketnghia.imports.confirm import require_confirmation, share_reasons
from ketnghia.imports.files import file_sha256
from ketnghia.imports.mark import Mark, check_mark, file_mark
from ketnghia.imports.readers import ProblemList
from ketnghia.twinning.assignment_import import plan as planning
from ketnghia.twinning.assignment_import.read import read_lines
from ketnghia.twinning.assignment_import.resolve import commune_by_code, held_rows, resolve
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

    sha256: str = ""
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
        return bool(
            self.created
            or self.reassigned
            or self.ended
            or self.updated
            or self.people_created
            or self.people_updated
        )


def _default_commune(
    mark: Mark, commune: Unit | None, scope: UnitScope, file_name: str
) -> Unit | None:
    if commune is not None:
        check_mark(
            mark,
            commune_code=commune.code,
            commune_name=commune.name,
            year=None,
            file_name=file_name,
            commune_named=lambda code: getattr(commune_by_code(code, EVERYTHING), "name", None),
        )
        return commune
    if not mark.commune:
        return None
    marked = commune_by_code(mark.commune, scope)
    if marked is None:
        raise InvalidInput(
            Problem(
                _("Unknown commune code “%(code)s”.") % {"code": mark.commune},
                Location(file=file_name),
            )
        )
    return marked


def confirmation_reasons(report: AssignmentImportReport) -> list[str]:
    """Return why committing needs an explicit confirmation (empty: it does not)."""
    reasons = []
    if report.people_suggestions:
        reasons.append(
            _(
                "%(count)s new people have the name and birth year of stored people: a new "
                "person is created for each; check the notes on their rows."
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
    reasons += share_reasons(
        changed=report.closed + report.ended + report.updated,
        before=report.stored_before,
        message=_(
            "It changes %(changed)s of the %(before)s stored assignments (%(percent)s %%, "
            "more than %(limit)s %%)."
        ),
    )
    return reasons


def _preview(report: AssignmentImportReport, resolved: Any, plan: planning.Plan) -> None:
    codes = {pk: commune.code for pk, commune in resolved.communes.items()}
    names = {commune.code: commune.name for commune in resolved.communes.values()}
    by_commune: dict[str, dict[str, Any]] = defaultdict(
        lambda: {outcome: 0 for outcome in planning.OUTCOMES}
    )
    closes = {c.wanted.index: c.closes for c in plan.creations}
    for row in sorted(resolved.wanted, key=lambda w: (w.where.sheet, w.where.number)):
        outcome = plan.outcomes.get(row.index, planning.UNCHANGED)
        by_commune[row.commune_code][outcome] += 1
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
    for code, counts in by_commune.items():
        counts["name"] = names.get(code, "")
    report.by_commune = dict(sorted(by_commune.items()))
    outcomes = list(plan.outcomes.values())
    report.created = outcomes.count(planning.CREATED)
    report.reassigned = outcomes.count(planning.REASSIGNED)
    report.ended = outcomes.count(planning.ENDED)
    report.updated = outcomes.count(planning.CHANGED)
    report.unchanged = outcomes.count(planning.UNCHANGED)
    report.closed = sum(1 for c in plan.creations for held in c.closes if held.stored)
    stored_communes = list(codes)
    report.stored_before = (
        Assignment.objects.filter(commune_id__in=stored_communes).count()
        + Twinning.objects.filter(commune_id__in=stored_communes).count()
    )
    for change in resolved.people:
        if change.suggestion:
            report.people_suggestions.append(change.suggestion)
        if change.person is None:
            report.people_created += 1
        elif change.changes:
            report.people_updated += 1
        else:
            report.people_unchanged += 1


def assignments_import(
    *,
    path: str | Path,
    file_name: str | None = None,
    people_path: str | Path | None = None,
    people_file_name: str | None = None,
    scope: UnitScope = EVERYTHING,
    commune: Unit | None = None,
    actor: Actor = None,
    dry_run: bool = False,
    confirm: bool = False,
) -> AssignmentImportReport:
    """Import the assignments (and people) of a file, all or nothing; return the report.

    `scope` is the units the user may edit: anything outside it is unknown to the import.
    `commune`, when given (the commune's page), is the only commune the file may touch.
    Raises InvalidInput listing every problem, ConfirmationNeeded (with the report) when the
    commit needs `confirm`; a dry run writes nothing.
    """
    path = Path(path)
    name = file_name or path.name
    files = [(path, name)]
    if people_path is not None:
        files.append((Path(people_path), people_file_name or Path(people_path).name))
    problems = ProblemList()
    lines = read_lines(files, problems)
    report = AssignmentImportReport(
        file=name, dry_run=dry_run, rows=lines.rows, sha256=file_sha256(path)
    )
    default = None
    if lines.tables:
        default = _default_commune(file_mark(path, lines.tables[0]), commune, scope, name)
    if not lines.assignments and not lines.people and not problems:
        problems.add(
            Problem(_("The file has no assignment rows below its header."), Location(file=name))
        )
    with transaction.atomic():
        resolved = resolve(
            assignments=lines.assignments,
            people=lines.people,
            scope=scope,
            default_commune=default,
            only_commune=commune,
        )
        problems.extend(resolved.problems)
        problems.raise_if_any()
        # One import at a time per commune; the stored rows are read again under the lock.
        list(Unit.objects.select_for_update().filter(pk__in=list(resolved.communes)))
        resolved.held = held_rows(resolved.wanted)
        plan = planning.plan_rows(resolved.held, resolved.wanted)
        problems.extend(plan.problems)
        problems.raise_if_any()
        _preview(report, resolved, plan)
        report.confirmation_reasons = confirmation_reasons(report)
        report.needs_confirmation = bool(report.confirmation_reasons)
        report.confirmed = confirm
        if dry_run:
            return report
        require_confirmation(
            report.confirmation_reasons, report, file_name=name, confirm=confirm, dry_run=False
        )
        if report.changed:
            write_plan(resolved=resolved, plan=plan, actor=actor, reason=f"import: {name}"[:100])
    return report
