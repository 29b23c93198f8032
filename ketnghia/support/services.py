"""Writes of support: documents, the fund ledger, packages, and the delivery cycle's workflow.

Each write is one transaction, refuses bad input with a Vietnamese message before writing
anything (`InvalidInput`), and leaves history. The approval takes the fund's row lock
(`select_for_update`) and counts every approved, delivered and reconciled delivery against
the ledger, so two approvals at once cannot overspend.

`actor` is the user (None: the system — the demo, the shell). A user's reach is checked
here too, not only on the route: a commune officer prepares within their commune, and the
approver must reach the cycle's district (the district approves) and be neither its preparer
nor its submitter.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core import derived, gate
from ketnghia.core.attachments import attachment_store
from ketnghia.core.errors import InvalidInput, Location, NotFound, Problem
from ketnghia.core.formatting import format_decimal, format_money
from ketnghia.core.history import history_insert_select, save_by
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.models import Household
from ketnghia.imports.staging import insert_rows
from ketnghia.indicators.services import version_bump
from ketnghia.programs.models import Program
from ketnghia.support import rules, targeting
from ketnghia.support.models import (
    Cycle,
    CycleState,
    Delivery,
    DocumentKind,
    EntryKind,
    Form,
    Fund,
    FundEntry,
    FundSource,
    LegalDocument,
    Multiplier,
    Package,
    PackageKind,
    RecipientLevel,
    SignedList,
)
from ketnghia.twinning.models import Organisation

SOURCE_DELIVERIES = "support.deliveries"
GIVER_SOURCES = frozenset({FundSource.TWINNING_UNIT, FundSource.ENTERPRISE})


def _refuse(message: str, field: str = "") -> InvalidInput:
    return InvalidInput(Problem(message, Location(field=field)))


def _require_reach(actor: Actor, action: gate.Action, path: str) -> None:
    """Refuse (the same "not found" as a missing record) a user who may not act at `path`."""
    if actor is None:
        return
    if not gate.reaches(actor, action, path):
        raise NotFound(_("Not found."))


def _user(actor: Actor) -> Actor:
    return actor if getattr(actor, "pk", None) else None


def _plan_changed(path: str) -> None:
    """Bump the data version of the province of `path`, in the caller's transaction.

    The dashboards' support card and the review's support section draw the funds' money
    (allocated, committed) beside the aggregates: a page cached under the old version must
    not be served. (Deliveries change the aggregates, whose refresh bumps the version.)
    """
    code = path.strip("/").split("/")[0]
    version_bump(
        province_ids=Unit.objects.filter(level=UnitLevel.PROVINCE, path=f"/{code}/").values_list(
            "pk", flat=True
        )
    )


# --- documents and funds --------------------------------------------------------------------


@transaction.atomic
def document_create(
    *,
    program: Program,
    number: str,
    issued_on: date,
    issuer: str,
    kind: str,
    unit: Unit,
    summary: str = "",
    attachment_file: UploadedFile | None = None,
    synthetic: bool = False,
    actor: Actor,
) -> LegalDocument:
    """Record a legal document (with its file, checked by content, when given)."""
    _require_reach(actor, gate.Action.EDIT, unit.path)
    problems = []
    if not number.strip():
        problems.append(
            Problem(_("Give the document's number and symbol."), Location(field="number"))
        )
    if not issuer.strip():
        problems.append(Problem(_("Give the issuing body."), Location(field="issuer")))
    if kind not in DocumentKind.values:
        problems.append(Problem(_("Unknown kind of document."), Location(field="kind")))
    if LegalDocument.objects.filter(
        program=program, number=number.strip(), issued_on=issued_on
    ).exists():
        problems.append(Problem(_("This document is already recorded."), Location(field="number")))
    if problems:
        raise InvalidInput(problems)
    document = LegalDocument(
        program=program,
        number=number.strip(),
        issued_on=issued_on,
        issuer=issuer.strip(),
        kind=kind,
        summary=summary.strip(),
        unit=unit,
        synthetic=synthetic,
    )
    if attachment_file is not None:
        document.attachment = attachment_store(
            uploaded_file=attachment_file,
            actor=actor,
            unit_path=unit.path,
            purpose="support.document",
            field="attachment",
        )
    save_by(document, _user(actor))
    return document


@transaction.atomic
def fund_create(
    *,
    document: LegalDocument,
    year: int,
    source: str,
    unit: Unit,
    organisation: Organisation | None = None,
    actor: Actor,
) -> Fund:
    """Open a fund: the money `document` gives in `year` from `source` (no money yet)."""
    _require_reach(actor, gate.Action.EDIT, unit.path)
    if source not in FundSource.values:
        raise _refuse(
            _("Unknown fund source “%(source)s”. Known sources: %(known)s.")
            % {
                "source": source,
                "known": ", ".join(str(label) for label in FundSource.labels),
            },
            "source",
        )
    if source in GIVER_SOURCES and organisation is None:
        raise _refuse(_("Name the twinning unit or enterprise that gives."), "organisation")
    if not 1990 <= int(year) <= 2100:
        raise _refuse(_("The year must be between 1990 and 2100."), "year")
    duplicate = Fund.objects.filter(
        document=document, year=year, source=source, organisation=organisation, unit=unit
    ).exists()
    if duplicate:
        raise _refuse(_("This fund already exists; add to its ledger instead."), "source")
    fund = Fund(document=document, year=year, source=source, unit=unit, organisation=organisation)
    save_by(fund, _user(actor))
    return fund


def _figures_locked(fund: Fund) -> rules.FundFigures:
    """Lock the fund's row and return its money as the database holds it now."""
    from ketnghia.support.selectors import fund_figures

    Fund.objects.select_for_update().filter(pk=fund.pk).first()
    return fund_figures(fund_ids=[fund.pk])[fund.pk]


def _ledger_append(
    fund: Fund, kind: str, amount: int, entered_on: date, reason: str, actor: Actor
) -> FundEntry:
    """Append one row to the fund's ledger (appended, never changed: the ledger is its history)."""
    entry = FundEntry(
        fund=fund,
        kind=kind,
        amount=amount,
        reason=reason.strip(),
        entered_on=entered_on,
        created_by=_user(actor),
    )
    entry.save()
    _plan_changed(fund.unit_path)
    return entry


@transaction.atomic
def fund_allocate(
    *, fund: Fund, amount: int | None, entered_on: date, reason: str = "", actor: Actor
) -> FundEntry:
    """Append an allocation (a positive amount of VND) to the fund's ledger."""
    _require_reach(actor, gate.Action.EDIT, fund.unit_path)
    if amount is None or isinstance(amount, bool) or not isinstance(amount, int):
        raise _refuse(_("The amount must be a whole number of đồng."), "amount")
    if amount <= 0:
        raise _refuse(_("An allocation must be more than 0 đồng."), "amount")
    return _ledger_append(fund, EntryKind.ALLOCATION, amount, entered_on, reason, actor)


@transaction.atomic
def fund_adjust(
    *, fund: Fund, amount: int | None, entered_on: date, reason: str, actor: Actor
) -> FundEntry:
    """Append an adjustment (more or less money, with a reason); never below what is spent."""
    _require_reach(actor, gate.Action.EDIT, fund.unit_path)
    if amount is None or isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
        raise _refuse(_("The adjustment must be a whole number of đồng, not 0."), "amount")
    if not reason.strip():
        raise _refuse(_("Give the reason for the adjustment."), "reason")
    figures = _figures_locked(fund)
    if amount < 0 and -amount > figures.balance:
        raise _refuse(
            _(
                "This adjustment would leave the fund below what is committed and delivered: "
                "%(balance)s left."
            )
            % {"balance": format_money(figures.balance)},
            "amount",
        )
    return _ledger_append(fund, EntryKind.ADJUSTMENT, amount, entered_on, reason, actor)


# --- packages -------------------------------------------------------------------------------


@transaction.atomic
def package_create(
    *,
    document: LegalDocument,
    name: str,
    kind: str,
    form: str,
    unit: str,
    unit_value: Any,
    quantity: Any,
    recipient_level: str,
    target_rule: str,
    multiplier: str = Multiplier.NONE,
    cap: Any = None,
    actor: Actor,
) -> Package:
    """Define what a document gives each recipient and who may receive it."""
    _require_reach(actor, gate.Action.EDIT, document.unit_path)
    problems: list[Problem] = []

    def problem(message: str, field: str) -> None:
        problems.append(Problem(message, Location(field=field)))

    if not name.strip():
        problem(_("Give the package a name."), "name")
    if kind not in PackageKind.values:
        problem(_("Unknown kind of support."), "kind")
    if form not in Form.values:
        problem(_("Say whether it is given in kind or in cash."), "form")
    if multiplier not in Multiplier.values:
        problem(_("Unknown multiplier."), "multiplier")
    if recipient_level not in RecipientLevel.values:
        problem(_("Unknown kind of recipient."), "recipient_level")
    if not unit.strip():
        problem(_("Give the unit of quantity (con, kg, cây, đồng…)."), "unit")
    value = rules.parse_money(unit_value)
    if value is None or value < 0:
        problem(_("The value per unit must be a whole number of đồng, 0 or more."), "unit_value")
    amount = rules.parse_quantity(quantity)
    if amount is None or amount == 0:
        problem(_("The quantity per recipient must be a number above 0."), "quantity")
    limit = None
    if cap not in (None, ""):
        limit = rules.parse_quantity(cap)
        if limit is None or limit == 0:
            problem(_("The cap must be a number above 0, or empty."), "cap")
    if recipient_level in RecipientLevel.values:
        try:
            targeting.rule_tree(target_rule, level=recipient_level)
        except InvalidInput as error:
            problems += error.problems
    if problems:
        raise InvalidInput(problems)
    assert value is not None and amount is not None  # refused above when missing
    package = Package(
        document=document,
        name=name.strip(),
        kind=kind,
        form=form,
        unit=unit.strip(),
        unit_value=value,
        quantity=amount,
        multiplier=multiplier,
        cap=limit,
        recipient_level=recipient_level,
        target_rule=target_rule.strip(),
    )
    save_by(package, _user(actor))
    return package


# --- cycles ---------------------------------------------------------------------------------


@transaction.atomic
def cycle_create(
    *,
    package: Package,
    fund: Fund,
    commune: Unit,
    name: str,
    decision_date: date,
    census_as_of: date,
    decision_number: str = "",
    synthetic: bool = False,
    actor: Actor,
) -> Cycle:
    """Open a draft cycle of `package` in `commune`, paid from `fund`; `actor` prepares it."""
    _require_reach(actor, gate.Action.EDIT, commune.path)
    if commune.level != UnitLevel.COMMUNE:
        raise _refuse(_("A cycle is prepared for one commune."), "commune")
    if not name.strip():
        raise _refuse(_("Give the cycle a name."), "name")
    if census_as_of > decision_date:
        raise _refuse(
            _("The census status is read on or before the decision date."), "census_as_of"
        )
    cycle = Cycle(
        package=package,
        fund=fund,
        commune=commune,
        name=name.strip(),
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        census_as_of=census_as_of,
        prepared_by=_user(actor),
        synthetic=synthetic,
    )
    save_by(cycle, _user(actor))
    return cycle


def _locked_cycle(cycle: Cycle) -> Cycle:
    """Return the cycle's row, locked for this transaction, as the database holds it now.

    Only the cycle's own row (`of`): the fund's is taken by `_figures_locked` when money is
    counted, and units or packages are never locked.
    """
    return (
        Cycle.objects.select_for_update(of=("self",))
        .select_related("package", "fund", "commune")
        .get(pk=cycle.pk)
    )


def _require_state(cycle: Cycle, states: frozenset[str] | set[str], field: str = "") -> None:
    if cycle.state not in states:
        raise _refuse(
            _("Not possible while the cycle is “%(state)s”.")
            % {"state": cycle.get_state_display()},
            field,
        )


def _multiplier_value(package: Package, members: float | None) -> int | None:
    if package.multiplier == Multiplier.MEMBERS:
        return int(members) if members else 1
    return None


def _entitled(package: Package, candidate: targeting.Candidate) -> Decimal:
    return rules.entitlement(
        quantity=package.quantity,
        multiplier_value=_multiplier_value(package, candidate.facts.get("members")),
        cap=package.cap,
    )


def _candidates(cycle: Cycle, *, household_ids: Sequence[int] = ()) -> list[targeting.Candidate]:
    package = cycle.package
    program = package.document.program
    if package.recipient_level == RecipientLevel.HOUSEHOLD:
        return targeting.household_candidates(
            commune_ids=[cycle.commune_id],
            on=cycle.census_as_of,
            program=program,
            household_ids=household_ids,
        )
    units = targeting.recipient_units(level=package.recipient_level, commune=cycle.commune)
    return targeting.unit_candidates(units=units, on=cycle.census_as_of, program=program)


def _delivery(
    cycle: Cycle, candidate: targeting.Candidate, quantity: Decimal, *, in_rule: bool, reason: str
) -> Delivery:
    return Delivery(
        cycle=cycle,
        household_id=candidate.household_id,
        unit_id=candidate.unit_id,
        recipient_name=candidate.name,
        entitled_quantity=quantity,
        entitled_value=rules.value_of(quantity, cycle.package.unit_value),
        in_rule=in_rule,
        override_reason=reason,
        snapshot=candidate.snapshot(),
        synthetic=cycle.synthetic,
    )


@transaction.atomic
def cycle_propose(*, cycle: Cycle, actor: Actor) -> int:
    """Propose the recipients the rule chooses (census as of the cycle's day); return how many.

    Recipients chosen earlier by the rule are proposed anew; those added by hand (outside the
    rule, with a reason) stay.
    """
    cycle = _locked_cycle(cycle)
    _require_reach(actor, gate.Action.EDIT, cycle.unit_path)
    _require_state(cycle, rules.EDITABLE_STATES)
    package = cycle.package
    tree = targeting.rule_tree(package.target_rule, level=package.recipient_level)
    kept: set[tuple[int | None, int]] = set(
        cycle.deliveries.filter(in_rule=False).values_list("household_id", "unit_id")
    )
    user = _user(actor)
    when = timezone.now()
    table = f"{connection.ops.quote_name(Delivery._meta.db_table)} t"
    # Set-based (design rule 9), a province's commune holds 100,000 households: the earlier
    # proposal's history rows and its removal, then the new rows in one COPY (executemany on
    # SQLite) and their history rows in one INSERT … SELECT.
    history_insert_select(
        Delivery,
        source=table,
        where="t.cycle_id = %s AND t.in_rule",
        params=[cycle.pk],
        history_type="-",
        actor=user,
        reason="proposed again",
        when=when,
    )
    stale = cycle.deliveries.filter(in_rule=True)
    stale._raw_delete(stale.db)
    rows = (
        _proposed_households(cycle, tree, kept)
        if package.recipient_level == RecipientLevel.HOUSEHOLD
        else _proposed_units(cycle, tree, kept)
    )
    ids = _new_delivery_ids(len(rows))
    columns = ["id", "cycle_id", "household_id", "unit_id", "unit_path", "recipient_name"]
    columns += ["entitled_quantity", "entitled_value", "snapshot", "difference_note"]
    columns += ["in_rule", "override_reason", "synthetic"]
    insert_rows(
        Delivery._meta.db_table,
        columns,
        ((pk, *row, "", True, "", cycle.synthetic) for pk, row in zip(ids, rows, strict=True)),
    )
    if ids:
        history_insert_select(
            Delivery,
            source=table,
            where="t.cycle_id = %s AND t.id >= %s",
            params=[cycle.pk, ids[0]],
            history_type="+",
            actor=user,
            reason="proposed by the rule",
            when=when,
        )
    return len(rows)


def _proposed_households(
    cycle: Cycle, tree: Any, kept: set[tuple[int | None, int]]
) -> list[list[Any]]:
    """Return the rows of the households the rule chooses: read and evaluated as columns
    (`targeting.household_table`), entitlements computed once per household size."""
    package = cycle.package
    table = targeting.household_table(
        commune_ids=[cycle.commune_id], on=cycle.census_as_of, program=package.document.program
    )
    chosen = targeting.chosen_rows(tree, table)
    kept_households = {household for household, _unit in kept if household is not None}
    paths = dict(
        Unit.objects.filter(pk__in={table.unit_ids[i] for i in chosen}).values_list("pk", "path")
    )
    members = table.facts["members"]
    entitled: dict[float, tuple[Decimal, int]] = {}
    rows = []
    for index in chosen.tolist():
        household_id = table.household_ids[index]
        if household_id in kept_households:
            continue
        size = float(members[index])
        if size not in entitled:
            candidate = targeting.Candidate(
                household_id=household_id,
                unit_id=0,
                name="",
                code="",
                facts={"members": None if size != size else size},
            )
            quantity = _entitled(package, candidate)
            entitled[size] = (quantity, rules.value_of(quantity, package.unit_value))
        quantity, value = entitled[size]
        unit_id = table.unit_ids[index]
        rows.append(
            [
                cycle.pk,
                household_id,
                unit_id,
                paths[unit_id],
                table.names[index],
                quantity,
                value,
                table.snapshot_json(index),
            ]
        )
    return rows


def _proposed_units(cycle: Cycle, tree: Any, kept: set[tuple[int | None, int]]) -> list[list[Any]]:
    """Return the rows of the villages or the commune the rule chooses."""
    package = cycle.package
    candidates = _candidates(cycle)
    paths = dict(
        Unit.objects.filter(pk__in={c.unit_id for c in candidates}).values_list("pk", "path")
    )
    rows = []
    for candidate, ok in zip(candidates, targeting.chosen(tree, candidates), strict=True):
        if not ok or (None, candidate.unit_id) in kept:
            continue
        quantity = _entitled(package, candidate)
        rows.append(
            [
                cycle.pk,
                None,
                candidate.unit_id,
                paths[candidate.unit_id],
                candidate.name,
                quantity,
                rules.value_of(quantity, package.unit_value),
                json.dumps(candidate.snapshot(), ensure_ascii=False),
            ]
        )
    return rows


def _new_delivery_ids(count: int) -> list[int]:
    """Return `count` ids for new deliveries, taken from the table's sequence (ascending)."""
    table = Delivery._meta.db_table
    if not count:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return sorted(pk for (pk,) in cursor.fetchall())
        # SQLite: the transaction holds the database's one write lock from its first write.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        (last,) = cursor.fetchone()
        return list(range(last + 1, last + 1 + count))


@transaction.atomic
def delivery_add(
    *,
    cycle: Cycle,
    household: Household | None = None,
    unit: Unit | None = None,
    quantity: Any = None,
    override_reason: str = "",
    actor: Actor,
) -> Delivery:
    """Add one recipient by hand; outside the target rule only with a reason (kept in history)."""
    cycle = _locked_cycle(cycle)
    _require_reach(actor, gate.Action.EDIT, cycle.unit_path)
    _require_state(cycle, rules.EDITABLE_STATES)
    package = cycle.package
    if package.recipient_level == RecipientLevel.HOUSEHOLD:
        if household is None or household.commune_id != cycle.commune_id:
            raise _refuse(_("Choose a household of the cycle's commune."), "household")
        if cycle.deliveries.filter(household=household).exists():
            raise _refuse(
                _("Household %(code)s is already a recipient of this cycle.")
                % {"code": household.code},
                "household",
            )
        found = _candidates(cycle, household_ids=[household.pk])
        candidate = (
            found[0]
            if found
            else targeting.Candidate(
                household_id=household.pk,
                unit_id=household.village_id or household.commune_id,
                name=household.head_name,
                code=household.code,
            )
        )
    else:
        candidates = {c.unit_id: c for c in _candidates(cycle)}
        if unit is None or unit.pk not in candidates:
            raise _refuse(_("Choose a unit of the cycle's commune."), "unit")
        if cycle.deliveries.filter(unit=unit, household__isnull=True).exists():
            raise _refuse(_("This unit is already a recipient of this cycle."), "unit")
        candidate = candidates[unit.pk]
    tree = targeting.rule_tree(package.target_rule, level=package.recipient_level)
    in_rule = targeting.chosen_one(tree, candidate)
    reason = override_reason.strip()
    if not in_rule and not reason:
        raise _refuse(
            _("%(name)s is outside the package's target (%(rule)s): adding them needs a reason.")
            % {"name": candidate.name, "rule": package.target_rule},
            "override_reason",
        )
    entitled = _entitled(package, candidate)
    if quantity not in (None, ""):
        asked = rules.parse_quantity(quantity)
        if asked is None:
            raise _refuse(_("The quantity must be a number, 0 or more."), "quantity")
        if package.cap is not None and asked > package.cap:
            raise _refuse(
                _("%(quantity)s is above the package's cap of %(cap)s %(unit)s per recipient.")
                % {
                    "quantity": format_decimal(asked, 2),
                    "cap": format_decimal(package.cap, 2),
                    "unit": package.unit,
                },
                "quantity",
            )
        entitled = asked.quantize(Decimal("0.01"))
    delivery = _delivery(
        cycle, candidate, entitled, in_rule=in_rule, reason="" if in_rule else reason
    )
    delivery.unit = Unit.objects.get(pk=candidate.unit_id)
    delivery._change_reason = reason[:100]  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            save_by(delivery, _user(actor))
    except IntegrityError:
        raise _refuse(_("This recipient is already in the cycle."), "household") from None
    return delivery


@transaction.atomic
def delivery_remove(*, delivery: Delivery, actor: Actor) -> None:
    """Take a recipient off a cycle that is still being prepared."""
    cycle = _locked_cycle(delivery.cycle)
    _require_reach(actor, gate.Action.EDIT, cycle.unit_path)
    _require_state(cycle, rules.EDITABLE_STATES)
    delivery._history_user = _user(actor)  # type: ignore[attr-defined]
    delivery.delete()


def _move(cycle: Cycle, target: str, actor: Actor, **fields: Any) -> Cycle:
    if not rules.may_move(cycle.state, target):
        raise _refuse(
            _("A cycle that is “%(state)s” cannot become “%(target)s”.")
            % {"state": cycle.get_state_display(), "target": CycleState(target).label}
        )
    cycle.state = target
    for name, value in fields.items():
        setattr(cycle, name, value)
    save_by(cycle, _user(actor))
    return cycle


@transaction.atomic
def cycle_submit(*, cycle: Cycle, actor: Actor) -> Cycle:
    """Send the prepared list to the district for approval."""
    cycle = _locked_cycle(cycle)
    _require_reach(actor, gate.Action.EDIT, cycle.unit_path)
    _require_state(cycle, rules.EDITABLE_STATES)
    if not cycle.deliveries.exists():
        raise _refuse(_("The cycle has no recipients yet."))
    if cycle.state == CycleState.REJECTED:
        _move(cycle, CycleState.DRAFT, actor)
    fields: dict[str, Any] = {"submitted_at": timezone.now(), "state_reason": ""}
    if cycle.prepared_by_id is None:
        fields["prepared_by"] = _user(actor)
    return _move(cycle, CycleState.SUBMITTED, actor, **fields)


def _require_checker(cycle: Cycle, actor: Actor) -> None:
    """The district approves: a user who reaches the district, and not the preparer."""
    parent = cycle.commune.parent
    district_path = parent.path if parent is not None else cycle.unit_path
    _require_reach(actor, gate.Action.EDIT, cycle.unit_path)
    if actor is not None and not gate.reaches(actor, gate.Action.EDIT, district_path):
        raise _refuse(_("Only the district (or the province) approves a commune's cycle."))
    if actor is not None and cycle.prepared_by_id == getattr(actor, "pk", None):
        raise _refuse(_("You prepared this cycle: another person must approve or reject it."))


@transaction.atomic
def cycle_approve(*, cycle: Cycle, actor: Actor, on: date | None = None) -> Cycle:
    """Approve a submitted cycle if its fund still has the money, under the fund's row lock."""
    on = on or timezone.localdate()
    cycle = _locked_cycle(cycle)
    _require_state(cycle, {CycleState.SUBMITTED})
    _require_checker(cycle, actor)
    if on < cycle.decision_date:
        raise _refuse(
            _("Nothing is approved before its decision of %(date)s.")
            % {"date": cycle.decision_date.strftime("%d/%m/%Y")}
        )
    figures = _figures_locked(cycle.fund)
    request = sum(cycle.deliveries.values_list("entitled_value", flat=True))
    if rules.overspends(figures, request):
        raise _refuse(
            _(
                "The fund cannot pay this cycle: it needs %(request)s, the fund has %(balance)s "
                "left (allocated %(allocated)s, committed %(committed)s, delivered "
                "%(delivered)s)."
            )
            % {
                "request": format_money(request),
                "balance": format_money(figures.balance),
                "allocated": format_money(figures.allocated),
                "committed": format_money(figures.committed),
                "delivered": format_money(figures.delivered),
            }
        )
    _plan_changed(cycle.unit_path)
    return _move(cycle, CycleState.APPROVED, actor, approved_by=_user(actor), approved_on=on)


@transaction.atomic
def cycle_reject(*, cycle: Cycle, reason: str, actor: Actor) -> Cycle:
    """Send a submitted cycle back to its preparer, with the reason."""
    cycle = _locked_cycle(cycle)
    _require_state(cycle, {CycleState.SUBMITTED})
    _require_checker(cycle, actor)
    if not reason.strip():
        raise _refuse(_("Give the reason for rejecting."), "reason")
    return _move(cycle, CycleState.REJECTED, actor, state_reason=reason.strip())


@transaction.atomic
def cycle_cancel(*, cycle: Cycle, reason: str, actor: Actor) -> Cycle:
    """Cancel a cycle that has not been delivered; its money is free again."""
    cycle = _locked_cycle(cycle)
    _require_reach(actor, gate.Action.EDIT, cycle.unit_path)
    if not reason.strip():
        raise _refuse(_("Give the reason for cancelling."), "reason")
    if cycle.state == CycleState.APPROVED:
        _require_checker(cycle, actor)
        _plan_changed(cycle.unit_path)
    return _move(cycle, CycleState.CANCELLED, actor, state_reason=reason.strip())


def _check_delivered(
    cycle: Cycle, delivery: Delivery, quantity: Any, delivered_on: date, where: Location
) -> Decimal:
    amount = rules.parse_quantity(quantity)
    if amount is None:
        raise InvalidInput(Problem(_("The quantity delivered must be a number, 0 or more."), where))
    cap = cycle.package.cap
    if cap is not None and amount > cap:
        raise InvalidInput(
            Problem(
                _("%(quantity)s is above the package's cap of %(cap)s %(unit)s per recipient.")
                % {
                    "quantity": format_decimal(amount, 2),
                    "cap": format_decimal(cap, 2),
                    "unit": cycle.package.unit,
                },
                where,
            )
        )
    if amount > delivery.entitled_quantity:
        raise InvalidInput(
            Problem(
                _("%(quantity)s is more than %(name)s is entitled to (%(entitled)s).")
                % {
                    "quantity": format_decimal(amount, 2),
                    "name": delivery.recipient_name,
                    "entitled": format_decimal(delivery.entitled_quantity, 2),
                },
                where,
            )
        )
    if delivered_on < cycle.decision_date:
        raise InvalidInput(
            Problem(
                _("A delivery cannot be dated before its decision of %(date)s.")
                % {"date": cycle.decision_date.strftime("%d/%m/%Y")},
                Location(field="delivered_on"),
            )
        )
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def cycle_deliver(
    *,
    cycle: Cycle,
    delivered_on: date,
    quantities: Mapping[int, Any] | None = None,
    actor: Actor,
) -> Cycle:
    """Record an approved cycle as delivered on `delivered_on`.

    `quantities` gives, per delivery id, what the recipient actually received; a recipient
    not named received what they were entitled to.
    """
    cycle = _locked_cycle(cycle)
    _require_reach(actor, gate.Action.EDIT, cycle.unit_path)
    _require_state(cycle, {CycleState.APPROVED})
    quantities = dict(quantities or {})
    deliveries = list(cycle.deliveries.all())
    known = {d.pk for d in deliveries}
    problems = [
        Problem(
            _("Delivery %(id)s is not in this cycle.") % {"id": key}, Location(field="quantity")
        )
        for key in quantities
        if key not in known
    ]
    if problems:
        raise InvalidInput(problems)
    for delivery in deliveries:
        where = Location(field=f"quantity-{delivery.pk}")
        given = quantities.get(delivery.pk, delivery.entitled_quantity)
        try:
            amount = _check_delivered(cycle, delivery, given, delivered_on, where)
        except InvalidInput as error:
            problems += error.problems
            continue
        delivery.delivered_quantity = amount
        delivery.delivered_value = rules.value_of(amount, cycle.package.unit_value)
        delivery.delivered_on = delivered_on
    if problems:
        raise InvalidInput(problems)
    # Set-based (design rule 9): one UPDATE for those who received what they were entitled
    # to, one per recipient named, then the history rows of the whole cycle in one INSERT.
    named = {d.pk: d for d in deliveries if d.pk in quantities}
    cycle.deliveries.exclude(pk__in=list(named)).update(
        delivered_quantity=F("entitled_quantity"),
        delivered_value=F("entitled_value"),
        delivered_on=delivered_on,
    )
    for delivery in named.values():
        Delivery.objects.filter(pk=delivery.pk).update(
            delivered_quantity=delivery.delivered_quantity,
            delivered_value=delivery.delivered_value,
            delivered_on=delivered_on,
        )
    history_insert_select(
        Delivery,
        source=f"{connection.ops.quote_name(Delivery._meta.db_table)} t",
        where="t.cycle_id = %s",
        params=[cycle.pk],
        history_type="~",
        actor=_user(actor),
        reason="delivered",
        when=timezone.now(),
    )
    _move(cycle, CycleState.DELIVERED, actor, delivered_on=delivered_on)
    derived.inputs_changed(
        commune_ids=[cycle.commune_id],
        years=[delivered_on.year],
        source=SOURCE_DELIVERIES,
        actor=_user(actor),
    )
    return cycle


@transaction.atomic
def cycle_reconcile(*, cycle: Cycle, notes: Mapping[int, str] | None = None, actor: Actor) -> Cycle:
    """Close a delivered cycle: every difference between entitled and delivered is explained."""
    cycle = _locked_cycle(cycle)
    _require_reach(actor, gate.Action.EDIT, cycle.unit_path)
    _require_state(cycle, {CycleState.DELIVERED})
    notes = {key: text.strip() for key, text in (notes or {}).items()}
    problems = []
    changed = []
    for delivery in cycle.deliveries.all():
        note = notes.get(delivery.pk, delivery.difference_note).strip()
        if delivery.delivered_quantity != delivery.entitled_quantity and not note:
            problems.append(
                Problem(
                    _("Explain why %(name)s received %(delivered)s instead of %(entitled)s.")
                    % {
                        "name": delivery.recipient_name,
                        "delivered": format_decimal(delivery.delivered_quantity or 0, 2),
                        "entitled": format_decimal(delivery.entitled_quantity, 2),
                    },
                    Location(field=f"note-{delivery.pk}"),
                )
            )
        if note != delivery.difference_note:
            delivery.difference_note = note
            changed.append(delivery)
    if problems:
        raise InvalidInput(problems)
    for delivery in changed:
        save_by(delivery, _user(actor))
    _move(cycle, CycleState.RECONCILED, actor, reconciled_at=timezone.now())
    derived.inputs_changed(
        commune_ids=[cycle.commune_id],
        years=[cycle.delivered_on.year] if cycle.delivered_on else None,
        source=SOURCE_DELIVERIES,
        actor=_user(actor),
    )
    return cycle


@transaction.atomic
def signed_list_attach(
    *, cycle: Cycle, village: Unit, uploaded_file: UploadedFile, actor: Actor
) -> SignedList:
    """Attach the scan of a village's signed delivery list (replacing an earlier scan)."""
    _require_reach(actor, gate.Action.EDIT, cycle.unit_path)
    if cycle.state not in {CycleState.APPROVED, CycleState.DELIVERED, CycleState.RECONCILED}:
        raise _refuse(_("A signed list is attached once the cycle is approved."), "file")
    if village.pk != cycle.commune_id and village.parent_id != cycle.commune_id:
        raise _refuse(_("Choose a village of the cycle's commune."), "village")
    attachment = attachment_store(
        uploaded_file=uploaded_file,
        actor=actor,
        unit_path=village.path,
        purpose="support.signed_list",
        field="file",
    )
    signed = SignedList.objects.filter(cycle=cycle, village=village).first() or SignedList(
        cycle=cycle, village=village
    )
    signed.attachment = attachment
    signed.uploaded_by = _user(actor)
    save_by(signed, _user(actor))
    return signed


# --- what the delivery import shares (`delivery_import`) ------------------------------------


def entitled(package: Package, candidate: targeting.Candidate) -> Decimal:
    """Return what `candidate` is entitled to under `package` (quantity × multiplier, capped)."""
    return _entitled(package, candidate)


def delivery_new(
    cycle: Cycle, candidate: targeting.Candidate, quantity: Decimal, *, in_rule: bool, reason: str
) -> Delivery:
    """Return an unsaved delivery of `candidate` in `cycle` (snapshot of its facts)."""
    return _delivery(cycle, candidate, quantity, in_rule=in_rule, reason="" if in_rule else reason)


def fund_figures_locked(fund: Fund) -> rules.FundFigures:
    """Lock the fund's row (this transaction) and return its money as stored now."""
    return _figures_locked(fund)


def cycle_locked(cycle: Cycle) -> Cycle:
    """Return the cycle's row locked for this transaction, as the database holds it now."""
    return _locked_cycle(cycle)


def cycle_delivered_by_import(*, cycle: Cycle, delivered_on: date, actor: Any) -> Cycle:
    """Mark an approved cycle delivered once an import recorded every recipient's delivery.

    Run inside the import's transaction, the cycle's row locked (`cycle_locked`).
    """
    _require_state(cycle, {CycleState.APPROVED})
    return _move(cycle, CycleState.DELIVERED, actor, delivered_on=delivered_on)
