"""The unit a web upload of a unit-tree or infrastructure file is made for, and its rows kept
inside it.

At the command line a file reaches the whole tree (the administrator runs it); a web upload
is made for one unit (the job's scope `{"unit": code}`). The spec's `context` resolves that
unit for the uploader with the spec's gate action (`NotFound` outside, as for a missing
unit); a row naming a unit outside it is refused as an unknown code before the rows are
checked against stored data (so nothing about another province's units is told), and any
record the plan would still write outside it (a code read with its lost leading zeros) is
refused too. `units_by_code` is the loaders' lookup of the units a file's codes name, its
lost leading zeros forgiven.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.translation import gettext as _

from ketnghia.core import gate
from ketnghia.core.errors import Location, Problem
from ketnghia.geo.models import Unit
from ketnghia.geo.selectors import unit_get_for
from ketnghia.imports.mark import Mark
from ketnghia.imports.readers import ProblemList
from ketnghia.imports.records import RecordChanges, RecordsReport, RecordsSpec

if TYPE_CHECKING:
    from ketnghia.accounts.models import Actor

# The widths a numeric code may have lost its leading zeros from (province, district, commune).
_WIDTHS = (2, 3, 5)


def upload_unit(*, actor: Actor, scope: Mapping[str, Any], action: gate.Action) -> Unit | None:
    """Return the unit a web upload is for, inside what `actor` may do `action` on (NotFound
    outside); None for a file given at the command line (no unit: the whole tree)."""
    code = scope.get("unit")
    if not code:
        return None
    return unit_get_for(scope=gate.scope_for(actor, action), code=str(code))


def unknown_code(code: str) -> str:
    return _("Unknown unit code “%(code)s”.") % {"code": code}


def _candidates(codes: set[str]) -> dict[str, list[Unit]]:
    """Return the stored units each code may name: itself, or zero-padded as the loaders
    read a numeric cell that lost its leading zeros."""
    variants = {
        code: {code} | ({code.zfill(w) for w in _WIDTHS} if code.isdigit() else set())
        for code in codes
    }
    wanted = set().union(*variants.values()) if variants else set()
    found = Unit.objects.in_bulk(list(wanted), field_name="code")
    return {
        code: [found[v] for v in sorted(names) if v in found] for code, names in variants.items()
    }


def units_by_code(codes: Iterable[str], *, width: int | None = None) -> dict[str, Unit]:
    """Return the units of `codes`, forgiving the leading zeros a numeric cell loses.

    "1" finds "00001" when `width` is 5; without a width a short number finds the one unit
    it can be once zero-padded (a province, district or commune code), if exactly one.
    """
    widths = (width,) if width else _WIDTHS
    resolved: dict[str, Unit] = {}
    for code, units in _candidates(set(codes) - {""}).items():
        exact = [unit for unit in units if unit.code == code]
        padded = [unit for unit in units if unit.code != code and len(unit.code) in widths]
        if exact or len(padded) == 1:
            resolved[code] = (exact or padded)[0]
    return resolved


def rows_inside(
    items: Sequence[Any],
    *,
    keys: Sequence[tuple[str, str]],
    within: Unit,
    problems: ProblemList,
) -> list[Any]:
    """Return the rows (`items`, each with its file's `row`) whose named units lie inside
    `within`; refuse the others.

    `keys` pairs a column key with the item's attribute holding a unit code. A code no unit
    holds is left to the spec's own check.
    """
    codes = {str(getattr(item, attr) or "") for item in items for _key, attr in keys}
    found = _candidates(codes - {""})
    kept = []
    for item in items:
        inside = True
        for key, attr in keys:
            code = str(getattr(item, attr) or "")
            units = found.get(code) or []
            if units and not any(unit.path.startswith(within.path) for unit in units):
                problems.add(item.row.problem(key, unknown_code(code)))
                inside = False
        if inside:
            kept.append(item)
    return kept


def units_outside(
    units: Iterable[Unit | None], *, within: Unit, problems: ProblemList, file_name: str
) -> None:
    """Refuse, at the file, every unit of `units` the upload would write outside `within`."""
    for code in sorted(
        {u.code for u in units if u is not None and not u.path.startswith(within.path)}
    ):
        problems.add(Problem(unknown_code(code), Location(file=file_name)))


def _record_units(record: Any) -> list[Unit | None]:
    if isinstance(record, Unit):
        return [record]
    return [getattr(record, name, None) for name in ("unit", "old_unit", "new_unit", "commune")]


class UnitScopedRecordsSpec(RecordsSpec):
    """A records spec whose web upload is made for one unit (see the module)."""

    # The gate action the uploader needs on the unit.
    action: ClassVar[gate.Action] = gate.Action.ADMINISTER
    # (column key, the row item's attribute holding a unit code) that must lie in the unit.
    scope_keys: ClassVar[tuple[tuple[str, str], ...]] = ()

    def context(  # type: ignore[override]
        self, *, actor: Actor, scope: Mapping[str, Any], mark: Mark, file_name: str
    ) -> Unit | None:
        return upload_unit(actor=actor, scope=scope, action=self.action)

    def plan(
        self, items: list[Any], context: Unit | None, problems: ProblemList, report: RecordsReport
    ) -> RecordChanges:
        if context is None:
            return super().plan(items, None, problems, report)
        items = rows_inside(items, keys=self.scope_keys, within=context, problems=problems)
        changes = super().plan(items, None, problems, report)
        if not problems:
            written = [*changes.create, *changes.update]
            written += [record for _model, records, _f in changes.also for record in records]
            units_outside(
                (unit for record in written for unit in _record_units(record)),
                within=context,
                problems=problems,
                file_name=report.file,
            )
        return RecordChanges() if problems else changes
