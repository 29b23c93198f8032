"""A spec whose plan is records of one model to create and to update, and its command.

For the simple importers (a row is a record: the unit tree's villages, classifications,
successions): subclass `RecordsSpec`, give `model`, `update_fields`, `check_row` (one row's
cells) and `changes` (the rows against stored data: a `RecordChanges`). The preview (the
changes per field, samples), the one confirmation rule (updating more than the confirmation
share of the stored records) and the write (`bulk_create_with_history`,
`bulk_update_with_history`: history rows in bulk, naming the actor and the file) are here.
`RecordsCommand` is its CLI (`spec = …`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import Model
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ketnghia.core.formatting import format_count
from ketnghia.imports import ImportReport
from ketnghia.imports.commands import ImportCommand
from ketnghia.imports.confirm import share_reasons
from ketnghia.imports.mark import Mark
from ketnghia.imports.readers import ProblemList, Row
from ketnghia.imports.spec import ImportSpec, run

if TYPE_CHECKING:
    from ketnghia.accounts.models import Actor


BATCH = 2000
# The change preview lists at most this many changes (the counts are always whole).
SAMPLES = 20


@dataclass
class RecordsReport(ImportReport):
    """The report of a records import; its preview: the changes per field (by the field's
    name in the user's language), a few samples."""

    fields: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)


@dataclass
class RecordChanges:
    """Records to create, to update (`update_fields`), the unchanged count, the stored
    records of the file's scope (the confirmation rule's base), and records of other models
    the file settles (`also`: model, its records, their changed fields)."""

    create: list[Any] = field(default_factory=list)
    update: list[Any] = field(default_factory=list)
    unchanged: int = 0
    stored: int = 0
    also: list[tuple[type[Model], list[Any], tuple[str, ...]]] = field(default_factory=list)

    def add(
        self, stored: Model | None, model: type[Model], values: dict[str, Any], **keys: Any
    ) -> None:
        """Count one row: a new `model(**keys, **values)` when nothing is `stored`, else the
        stored record set to `values` (an update) when any of them differs, else unchanged."""
        if stored is None:
            self.create.append(model(**keys, **values))
        elif any(getattr(stored, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(stored, name, value)
            self.update.append(stored)
        else:
            self.unchanged += 1


class RecordsSpec(ImportSpec[None, Any, RecordChanges, RecordsReport]):
    """A records import with no scope (national lists, loaded by administrators)."""

    # The file's problems against stored data are listed together with its cells' problems.
    plan_with_row_problems = True

    model: ClassVar[type[Model]]
    update_fields: ClassVar[tuple[str, ...]]
    # Fields an update also writes, kept in step with the others (not in the preview).
    derived_fields: ClassVar[tuple[str, ...]] = ()

    def make_report(self, *, file_name: str, dry_run: bool) -> RecordsReport:
        return RecordsReport(file=file_name, dry_run=dry_run)

    def context(
        self, *, actor: Actor, scope: Mapping[str, Any], mark: Mark, file_name: str
    ) -> None:
        return None

    def check_rows(
        self, rows: Sequence[Row], context: None, problems: ProblemList, report: RecordsReport
    ) -> list[Any]:
        return [self.check_row(row, problems) for row in rows]

    def check_row(self, row: Row, problems: ProblemList) -> Any:
        """Check one row's cells (no database); return what it means."""
        raise NotImplementedError

    def changes(self, items: list[Any], problems: ProblemList) -> RecordChanges:
        """Check the rows against stored data; return what they change."""
        raise NotImplementedError

    def plan(
        self, items: list[Any], context: None, problems: ProblemList, report: RecordsReport
    ) -> RecordChanges:
        changes = self.changes(items, problems)
        if problems:
            return RecordChanges()
        report.created, report.updated = len(changes.create), len(changes.update)
        report.unchanged = changes.unchanged
        report.samples = [_("new: %(record)s") % {"record": r} for r in changes.create[:SAMPLES]]
        for model, records, names in [
            (self.model, changes.update, self.update_fields),
            *changes.also,
        ]:
            stored = model._default_manager.in_bulk([r.pk for r in records]) if records else {}
            for record in records:
                for name in names:
                    old, new = getattr(stored[record.pk], name), getattr(record, name)
                    if old == new:
                        continue
                    label = str(model._meta.get_field(name).verbose_name)  # Vietnamese
                    report.fields[label] = report.fields.get(label, 0) + 1
                    if len(report.samples) < SAMPLES:
                        report.samples.append(
                            _("%(record)s: %(field)s “%(old)s” → “%(new)s”")
                            % {"record": record, "field": label, "old": old, "new": new}
                        )
        return changes

    def changes_anything(self, plan: RecordChanges) -> bool:
        return bool(plan.create or plan.update or any(records for _m, records, _f in plan.also))

    def confirmation_reasons(
        self, plan: RecordChanges, context: None, report: RecordsReport
    ) -> list[str]:
        """The one rule: updating more than the confirmation share of the stored records."""
        return share_reasons(
            changed=len(plan.update),
            before=plan.stored,
            message=_(
                "It changes %(changed)s of the %(before)s stored records (%(percent)s %%, "
                "more than %(limit)s %%)."
            ),
        )

    def write(
        self,
        plan: RecordChanges,
        context: None,
        *,
        actor: Actor,
        reason: str,
        report: RecordsReport,
    ) -> None:
        history = {"batch_size": BATCH, "default_user": actor, "default_change_reason": reason}
        if plan.create:
            bulk_create_with_history(plan.create, self.model, **history)
        written = (*self.update_fields, *self.derived_fields)
        for model, records, names in [(self.model, plan.update, written), *plan.also]:
            if records:
                bulk_update_with_history(records, model, list(names), **history)
        self.written(plan, actor=actor)

    def written(self, plan: RecordChanges, *, actor: Actor) -> None:
        """After the records are written, in the import's transaction: what a spec's
        records move elsewhere (reported to `core.derived`, refreshed). Nothing by default."""


def records_import(
    spec: ImportSpec[Any, Any, Any, Any],
    path: str | Path,
    *,
    actor: Actor,
    dry_run: bool = False,
    confirm: bool = False,
    name: str | None = None,
) -> Any:
    """Run `spec` on the file at `path` (`name`: the file's name shown, if not the path's)."""
    return run(spec, path, actor=actor, file_name=name, dry_run=dry_run, confirm=confirm)


class RecordsCommand(ImportCommand):
    """The command of a records spec (`spec`): the file, --dry-run, --confirm, --actor,
    --errors-out; the counts, the changes per field and the samples, the warnings."""

    spec: ImportSpec[Any, Any, Any, Any]
    errors_out = True

    def handle(self, *args: Any, **options: Any) -> None:
        report = self.run_import(
            lambda: records_import(
                self.spec,
                options["file"],
                actor=self.user_named(options.get("actor")),
                dry_run=options["dry_run"],
                confirm=options["confirm"],
            ),
            options=options,
            error_workbook=lambda path, problems: self.spec.error_workbook(
                path, file_name=path.name, problems=problems
            ),
        )
        self.preview(report)

    def preview(self, report: RecordsReport) -> None:
        prefix = _("Dry run, nothing written. ") if report.dry_run else ""
        self.stdout.write(
            prefix
            + _(
                "%(file)s: %(rows)s rows; created %(created)s, updated %(updated)s, unchanged %(unchanged)s."
            )
            % {
                "file": report.file,
                "rows": format_count(report.rows),
                "created": format_count(report.created),
                "updated": format_count(report.updated),
                "unchanged": format_count(report.unchanged),
            }
        )
        for name, count in report.fields.items():
            self.stdout.write(f"  {name}: {format_count(count)}")
        for sample in report.samples:
            self.stdout.write(f"  {sample}")
        for warning in report.warnings:
            self.stdout.write(_("Warning: %(warning)s") % {"warning": warning})
