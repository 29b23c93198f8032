"""Import of what a cycle delivered: its filled template, or the field form's CSV export.

An import spec (`imports.spec`), run by `imports.run` (the CLI, the job worker of a web
upload). The file is one approved cycle's, in one commune: the template is marked with both
(document properties `ketnghia.cycle`, `ketnghia.commune`), the field form writes them on
every submission. Each row says what a household received and when. Checks, every problem
located at file, sheet, row and column, and any of them refuses the whole file:

- the quantity is a number, not negative, not above the package's cap nor what the
  household is entitled to; the date is not before the cycle's decision, nor in the future;
  the fund source, when written, is a known one and the cycle's fund's;
- a household appears once; a household not on the approved list is added only with a
  reason when the target rule does not choose it, and the fund (its row locked) must still
  pay what it adds;
- a file made for another cycle or commune is refused, naming both.

Writes are set-based: the recorded quantities through a staging table and one UPDATE, the
history rows of the whole file in one INSERT … SELECT, the added recipients in bulk. Once
every recipient of an approved cycle is recorded, the cycle is delivered. Importing the same
file again changes nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ketnghia.core import derived, gate
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.formatting import format_decimal, format_money
from ketnghia.core.history import history_insert_select
from ketnghia.core.text import fold
from ketnghia.geo.models import Unit
from ketnghia.households.models import Household
from ketnghia.imports import ImportReport
from ketnghia.imports.confirm import changes_need_confirmation
from ketnghia.imports.mark import Mark, check_mark
from ketnghia.imports.readers import ProblemList, Row
from ketnghia.imports.spec import ImportSpec, register, run
from ketnghia.imports.staging import StagingTable
from ketnghia.imports.values import cell_str, choice_words, code
from ketnghia.support import rules, selectors, services, targeting
from ketnghia.support.delivery_import import columns as cols
from ketnghia.support.models import Cycle, CycleState, Delivery, FundSource, RecipientLevel

# States whose deliveries a file records: approved (being delivered) and delivered (a
# correction before the reconciliation).
OPEN_STATES = frozenset({CycleState.APPROVED, CycleState.DELIVERED})
SAMPLES = 10


@dataclass
class DeliveryImportReport(ImportReport):
    """What a delivery file did (or would do): recorded for the first time, corrected,
    recipients added outside the approved list, and the value delivered."""

    cycle: str = ""
    recorded: int = 0
    corrected: int = 0
    added: int = 0
    value_delivered: int = 0
    value_added: int = 0
    cycle_delivered: bool = False
    samples: list[str] = field(default_factory=list)


@dataclass
class _Context:
    cycle: Cycle
    file_name: str
    today: date
    households: dict[str, tuple[int, str, int | None]] = field(default_factory=dict)
    seen: dict[int, int] = field(default_factory=dict)


@dataclass
class _Item:
    row: Row
    household_id: int
    code: str
    quantity: Decimal
    delivered_on: date
    override_reason: str
    note: str


@dataclass
class _Plan:
    # (delivery id, quantity, value, date, note) of listed recipients whose record changes.
    updates: list[tuple[int, Decimal, int, date, str]] = field(default_factory=list)
    added: list[Delivery] = field(default_factory=list)
    dates: set[date] = field(default_factory=set)
    complete: bool = False

    def __bool__(self) -> bool:
        return bool(self.updates or self.added)


def _parsed(key: str, row: Row, problems: ProblemList, cache: dict[Any, Any]) -> Any:
    """Return the cell of `row` under `key` parsed by its field; a value met before is parsed
    once (a file repeats its dates and quantities), a refused one every time it is met."""
    raw = row.get(key)
    try:
        return cache[raw]
    except (KeyError, TypeError):
        pass
    value = cols.BY_KEY[key].parse(row, problems)
    if value is not None:
        with contextlib.suppress(TypeError):
            cache[raw] = value
    return value


def _cycle_for(actor: Any, pk: Any) -> Cycle:
    scope = gate.EVERYTHING if actor is None else gate.scope_for(actor, gate.Action.EDIT)
    if not str(pk or "").isdigit():
        raise InvalidInput(Problem(_("Delivery cycle not found.")))
    cycle = selectors.cycle_get_for(scope=scope, pk=int(pk))  # NotFound outside
    return Cycle.objects.select_related(
        "package", "package__document__program", "fund", "commune"
    ).get(pk=cycle.pk)


def _commune_named(code_: str) -> str | None:
    return Unit.objects.filter(code=code_).values_list("name", flat=True).first()


class DeliverySpec(ImportSpec[_Context, _Item, _Plan, DeliveryImportReport]):
    """What households of one approved cycle received. Scope: `cycle` (its id), `today`."""

    name = "support.deliveries"
    fields = cols.FIELDS
    chunk_rows = 5000
    max_rows = 200_000

    def make_report(self, *, file_name: str, dry_run: bool) -> DeliveryImportReport:
        return DeliveryImportReport(file=file_name, dry_run=dry_run)

    def template(self, context: _Context) -> bytes:
        from ketnghia.support.delivery_import.template import delivery_template

        return delivery_template(context.cycle)

    def context(
        self, *, actor: Any, scope: Mapping[str, Any], mark: Mark, file_name: str
    ) -> _Context:
        cycle = _cycle_for(actor, scope.get("cycle") or mark.cycle)
        where = Location(file=file_name)
        if mark.cycle and mark.cycle != str(cycle.pk):
            raise InvalidInput(
                Problem(
                    _(
                        "This file was made for delivery cycle %(other)s, not for cycle "
                        "%(cycle)s (%(name)s): download this cycle's template."
                    )
                    % {"other": mark.cycle, "cycle": cycle.pk, "name": cycle.name},
                    where,
                )
            )
        check_mark(
            mark,
            commune_code=cycle.commune.code,
            commune_name=cycle.commune.name,
            year=None,
            file_name=file_name,
            commune_named=_commune_named,
        )
        if cycle.package.recipient_level != RecipientLevel.HOUSEHOLD:
            raise InvalidInput(
                Problem(
                    _(
                        "This file records what households received; the recipients of this "
                        "cycle are villages or communes: record their delivery on the cycle's "
                        "page."
                    ),
                    where,
                )
            )
        if cycle.state not in OPEN_STATES:
            raise InvalidInput(
                Problem(
                    _(
                        "Deliveries are recorded once the district has approved the cycle, "
                        "and until it is reconciled; this cycle is “%(state)s”."
                    )
                    % {"state": cycle.get_state_display()},
                    where,
                )
            )
        today = scope.get("today") or timezone.localdate()
        if isinstance(today, str):
            today = date.fromisoformat(today)
        households: dict[str, tuple[int, str, int | None]] = {
            household_code: (pk, head, village)
            for household_code, pk, head, village in Household.objects.filter(
                commune=cycle.commune
            ).values_list("code", "pk", "head_name", "village_id")
        }
        return _Context(cycle=cycle, file_name=file_name, today=today, households=households)

    def check_rows(
        self,
        rows: Sequence[Row],
        context: _Context,
        problems: ProblemList,
        report: DeliveryImportReport,
    ) -> list[_Item]:
        cycle = context.cycle
        package = cycle.package
        fund_source = cycle.fund.source
        sources = choice_words(FundSource)
        quantities: dict[Any, Decimal] = {}
        dates: dict[Any, date] = {}
        items = []
        for row in rows:
            bad = False
            if not row.is_blank(cols.CYCLE) and code(row.get(cols.CYCLE)) != str(cycle.pk):
                problems.add(
                    row.problem(
                        cols.CYCLE,
                        _("This row is for delivery cycle %(other)s, not %(cycle)s.")
                        % {"other": code(row.get(cols.CYCLE)), "cycle": cycle.pk},
                    )
                )
                bad = True
            if not row.is_blank(cols.COMMUNE) and code(row.get(cols.COMMUNE)) != cycle.commune.code:
                problems.add(
                    row.problem(
                        cols.COMMUNE,
                        _("This row is for commune %(other)s, not %(commune)s (%(code)s).")
                        % {
                            "other": code(row.get(cols.COMMUNE)),
                            "commune": cycle.commune.name,
                            "code": cycle.commune.code,
                        },
                    )
                )
                bad = True
            household_code = code(row.get(cols.HOUSEHOLD))
            found = context.households.get(household_code)
            if found is None:
                problems.add(
                    row.problem(
                        cols.HOUSEHOLD,
                        _("No household %(code)s in commune %(commune)s.")
                        % {"code": household_code, "commune": cycle.commune.name},
                    )
                )
                bad = True
            elif found[0] in context.seen:
                problems.add(
                    row.problem(
                        cols.HOUSEHOLD,
                        _(
                            "Household %(code)s is already in row %(row)s of this file: a "
                            "household receives a package once per cycle."
                        )
                        % {"code": household_code, "row": context.seen[found[0]]},
                    )
                )
                bad = True
            else:
                context.seen[found[0]] = row.number
            before = len(problems)
            quantity = _parsed(cols.QUANTITY, row, problems, quantities)
            if quantity is not None and quantity < 0:
                problems.add(
                    row.problem(cols.QUANTITY, _("The quantity delivered cannot be negative."))
                )
                quantity = None
            elif quantity is not None and package.cap is not None and quantity > package.cap:
                problems.add(
                    row.problem(
                        cols.QUANTITY,
                        _(
                            "%(quantity)s is above the package's cap of %(cap)s %(unit)s per "
                            "recipient."
                        )
                        % {
                            "quantity": format_decimal(quantity, 2),
                            "cap": format_decimal(package.cap, 2),
                            "unit": package.unit,
                        },
                    )
                )
                quantity = None
            delivered_on = _parsed(cols.DELIVERED_ON, row, problems, dates)
            if delivered_on is not None and delivered_on < cycle.decision_date:
                problems.add(
                    row.problem(
                        cols.DELIVERED_ON,
                        _("A delivery cannot be dated before its decision of %(date)s.")
                        % {"date": cycle.decision_date.strftime("%d/%m/%Y")},
                    )
                )
                delivered_on = None
            elif delivered_on is not None and delivered_on > context.today:
                problems.add(
                    row.problem(cols.DELIVERED_ON, _("A delivery cannot be dated in the future."))
                )
                delivered_on = None
            if not row.is_blank(cols.SOURCE):
                written = cell_str(row.get(cols.SOURCE))
                source = sources.get(written) or sources.get(fold(written))
                if source is None:
                    problems.add(
                        row.problem(
                            cols.SOURCE,
                            _("Unknown fund source “%(source)s”. Known sources: %(known)s.")
                            % {
                                "source": written,
                                "known": ", ".join(str(label) for label in FundSource.labels),
                            },
                        )
                    )
                elif source != fund_source:
                    problems.add(
                        row.problem(
                            cols.SOURCE,
                            _("This cycle is paid from the %(fund)s, not the %(source)s.")
                            % {
                                "fund": FundSource(fund_source).label,
                                "source": FundSource(source).label,
                            },
                        )
                    )
            if bad or len(problems) > before or quantity is None or delivered_on is None:
                # A required cell left blank is named by its field.
                for key in (cols.QUANTITY, cols.DELIVERED_ON):
                    if row.is_blank(key):
                        problems.add(row.problem(key, _("This cell is required.")))
                continue
            assert found is not None
            items.append(
                _Item(
                    row=row,
                    household_id=found[0],
                    code=household_code,
                    quantity=quantity.quantize(Decimal("0.01")),
                    delivered_on=delivered_on,
                    override_reason=cell_str(row.get(cols.OVERRIDE)),
                    note=cell_str(row.get(cols.NOTE)),
                )
            )
        return items

    def plan(
        self,
        items: list[_Item],
        context: _Context,
        problems: ProblemList,
        report: DeliveryImportReport,
    ) -> _Plan:
        cycle = context.cycle
        package = cycle.package
        report.cycle = f"{cycle.pk} — {cycle.name}"
        stored = {
            household_id: (pk, entitled, quantity, delivered_on, note)
            for household_id, pk, entitled, quantity, delivered_on, note in Delivery.objects.filter(
                cycle=cycle, household__isnull=False
            ).values_list(
                "household_id",
                "pk",
                "entitled_quantity",
                "delivered_quantity",
                "delivered_on",
                "difference_note",
            )
        }
        plan = _Plan()
        outside = [item for item in items if item.household_id not in stored]
        candidates = {
            c.household_id: c
            for c in targeting.household_candidates(
                commune_ids=[cycle.commune_id],
                on=cycle.census_as_of,
                program=package.document.program,
                household_ids=[item.household_id for item in outside],
            )
        }
        tree = targeting.rule_tree(package.target_rule, level=package.recipient_level)
        for item in items:
            entry = stored.get(item.household_id)
            if entry is None:
                continue
            pk, entitled, quantity, delivered_on, note = entry
            if item.quantity > entitled:
                problems.add(
                    item.row.problem(
                        cols.QUANTITY,
                        _("%(quantity)s is more than %(name)s is entitled to (%(entitled)s).")
                        % {
                            "quantity": format_decimal(item.quantity, 2),
                            "name": context.households[item.code][1],
                            "entitled": format_decimal(entitled, 2),
                        },
                    )
                )
                continue
            value = rules.value_of(item.quantity, package.unit_value)
            report.value_delivered += value
            plan.dates.add(item.delivered_on)
            if (
                quantity == item.quantity
                and delivered_on == item.delivered_on
                and note == item.note
            ):
                report.unchanged += 1
                continue
            plan.updates.append((pk, item.quantity, value, item.delivered_on, item.note))
            if quantity is None:
                report.recorded += 1
            else:
                report.corrected += 1
                if len(report.samples) < SAMPLES:
                    report.samples.append(
                        _("%(code)s: %(before)s → %(after)s %(unit)s")
                        % {
                            "code": item.code,
                            "before": format_decimal(quantity, 2),
                            "after": format_decimal(item.quantity, 2),
                            "unit": package.unit,
                        }
                    )
        units = dict(
            Unit.objects.filter(
                pk__in={context.households[i.code][2] or cycle.commune_id for i in outside}
            ).values_list("pk", "path")
        )
        for item in outside:
            _pk, head, village = context.households[item.code]
            candidate = candidates.get(item.household_id) or targeting.Candidate(
                household_id=item.household_id,
                unit_id=village or cycle.commune_id,
                name=head,
                code=item.code,
            )
            in_rule = targeting.chosen_one(tree, candidate)
            if not in_rule and not item.override_reason:
                problems.add(
                    item.row.problem(
                        cols.OVERRIDE,
                        _(
                            "%(name)s is outside the package's target (%(rule)s): adding them "
                            "needs a reason."
                        )
                        % {"name": candidate.name, "rule": package.target_rule},
                    )
                )
                continue
            entitled = services.entitled(package, candidate)
            if item.quantity > entitled:
                problems.add(
                    item.row.problem(
                        cols.QUANTITY,
                        _("%(quantity)s is more than %(name)s is entitled to (%(entitled)s).")
                        % {
                            "quantity": format_decimal(item.quantity, 2),
                            "name": candidate.name,
                            "entitled": format_decimal(entitled, 2),
                        },
                    )
                )
                continue
            delivery = services.delivery_new(
                cycle, candidate, entitled, in_rule=in_rule, reason=item.override_reason
            )
            delivery.unit_path = units[candidate.unit_id]
            delivery.delivered_quantity = item.quantity
            delivery.delivered_value = rules.value_of(item.quantity, package.unit_value)
            delivery.delivered_on = item.delivered_on
            delivery.difference_note = item.note
            plan.added.append(delivery)
            plan.dates.add(item.delivered_on)
            report.value_delivered += delivery.delivered_value
            report.value_added += delivery.entitled_value
            if len(report.samples) < SAMPLES:
                report.samples.append(
                    _("%(code)s (%(name)s) added: %(quantity)s %(unit)s")
                    % {
                        "code": item.code,
                        "name": candidate.name,
                        "quantity": format_decimal(item.quantity, 2),
                        "unit": package.unit,
                    }
                )
        report.added = len(plan.added)
        if plan.added:
            figures = services.fund_figures_locked(cycle.fund)
            if rules.overspends(figures, report.value_added):
                problems.add(
                    Problem(
                        _(
                            "The fund cannot pay the %(count)s recipients this file adds: they "
                            "need %(request)s, the fund has %(balance)s left."
                        )
                        % {
                            "count": len(plan.added),
                            "request": format_money(report.value_added),
                            "balance": format_money(figures.balance),
                        },
                        Location(file=context.file_name),
                    )
                )
        unrecorded = sum(1 for entry in stored.values() if entry[2] is None)
        plan.complete = cycle.state == CycleState.APPROVED and unrecorded == report.recorded
        report.cycle_delivered = plan.complete and bool(plan)
        report.created = report.added
        report.updated = report.recorded + report.corrected
        return plan

    def confirmation_reasons(
        self, plan: _Plan, context: _Context, report: DeliveryImportReport
    ) -> list[str]:
        reasons = []
        if plan.added:
            reasons.append(
                _(
                    "The file adds %(count)s recipients who are not on the approved list "
                    "(%(value)s): check the preview and confirm the import."
                )
                % {"count": len(plan.added), "value": format_money(report.value_added)}
            )
        recorded_before = report.corrected + report.unchanged
        if changes_need_confirmation(changed=report.corrected, before=recorded_before):
            reasons.append(
                _(
                    "The file changes %(count)s of the %(before)s deliveries recorded before: "
                    "check the preview and confirm the import."
                )
                % {"count": report.corrected, "before": recorded_before}
            )
        return reasons

    def write(
        self,
        plan: _Plan,
        context: _Context,
        *,
        actor: Any,
        reason: str,
        report: DeliveryImportReport,
    ) -> None:
        cycle = services.cycle_locked(context.cycle)
        if cycle.state not in OPEN_STATES:
            raise InvalidInput(
                Problem(
                    _("The cycle changed while the file was read; import again."),
                    Location(file=context.file_name),
                )
            )
        user = actor if getattr(actor, "pk", None) else None
        when = timezone.now()
        table = connection.ops.quote_name(Delivery._meta.db_table)
        if plan.updates:
            stage = StagingTable(
                (
                    ("id", "bigint"),
                    ("quantity", "text"),
                    ("value", "bigint"),
                    ("delivered_on", "date"),
                    ("note", "text"),
                ),
                prefix="delivery_import",
            )
            stage.create()
            stage.insert(
                (pk, str(quantity), value, day.isoformat(), note)
                for pk, quantity, value, day, note in plan.updates
            )
            stage.index("id")
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""
                    UPDATE {table} SET
                        delivered_quantity = CAST(s.quantity AS NUMERIC),
                        delivered_value = s.value,
                        delivered_on = s.delivered_on,
                        difference_note = s.note
                    FROM {stage.quoted} s
                    WHERE {table}.id = s.id
                    """
                )
            history_insert_select(
                Delivery,
                source=f"{table} t",
                where=f"t.id IN (SELECT id FROM {stage.quoted})",
                params=[],
                history_type="~",
                actor=user,
                reason=reason,
                when=when,
            )
            stage.drop()
        if plan.added:
            for delivery in plan.added:
                text = (delivery.override_reason or reason)[:100]
                delivery._change_reason = text  # type: ignore[attr-defined]
            bulk_create_with_history(plan.added, Delivery, batch_size=2000, default_user=user)
        if plan.complete:
            services.cycle_delivered_by_import(
                cycle=cycle, delivered_on=max(plan.dates), actor=user
            )
        if plan.complete or cycle.state == CycleState.DELIVERED:
            derived.inputs_changed(
                commune_ids=[cycle.commune_id],
                years=sorted({day.year for day in plan.dates}),
                source=services.SOURCE_DELIVERIES,
                actor=user,
            )


DELIVERIES = register(DeliverySpec())


def delivery_import(
    *,
    path: str | Path,
    cycle: Cycle | int,
    actor: Any,
    file_name: str | None = None,
    dry_run: bool = False,
    confirm: bool = False,
    today: date | None = None,
) -> DeliveryImportReport:
    """Import what `cycle`'s households received from the file at `path`; all or nothing."""
    return run(
        DELIVERIES,
        path,
        actor=actor,
        scope={"cycle": cycle.pk if isinstance(cycle, Cycle) else cycle, "today": today},
        file_name=file_name,
        dry_run=dry_run,
        confirm=confirm,
    )
