"""Support delivered: proposing a cycle over 100,000 households, then importing what 100,000
households received — against the census import's time per row on the same database.

Run in `bench.worker` (task `support`) on a fresh scratch database. The bench commune gets
`rows` households from the census file (`bench.generate`), imported by `census_import`
(timed: the reference time per row) and its round marked approved (the official round the
target rule reads). A province's decision then funds a package whose target rule reads
several facts of every household; the cycle's proposal evaluates all of them (timed twice:
the facts read as columns and the rule evaluated, `targeting.household_table` +
`chosen_rows`; and the
whole `cycle_propose`, which also writes the deliveries with their history rows). The
approved cycle's deliveries are written as the field form's CSV (household code, quantity,
date, source) and imported with `delivery_import(confirm=True)` — reading, checks, the plan
against the stored deliveries, the staged UPDATE and the history rows (INSERT … SELECT), the
cycle marked delivered. Targets: proposal < 5 s; delivery import time per row ≤ 2× the census
import's.
"""

from __future__ import annotations

import csv
import time
from datetime import date
from pathlib import Path
from typing import Any

ROWS = 100_000
TARGET_PROPOSAL_SECONDS = 5.0
TARGET_PER_ROW_RATIO = 2.0
RULE = "(poor == 1 or near_poor == 1 or members >= 1) and program_commune == 1"


def _census(directory: Path, rows: int) -> tuple[Any, float]:
    from bench import generate
    from ketnghia.accounts.models import User
    from ketnghia.census.importing import census_import
    from ketnghia.census.models import CensusRound
    from ketnghia.census.services import census_round_create
    from ketnghia.census.workflow import APPROVED_STATES
    from ketnghia.geo.models import Unit

    path = generate.write_csv(directory / f"support-census-{rows}.csv", rows)
    commune = Unit.objects.get(code=generate.COMMUNE_CODE)
    census_round = census_round_create(
        commune=commune, year=generate.YEAR, standard_code=generate.STANDARD_CODE, actor=None
    )
    actor = User.objects.get(username="bench")
    started = time.perf_counter()
    census_import(
        census_round=census_round, path=path, file_name=path.name, dry_run=False, actor=actor
    )
    seconds = time.perf_counter() - started
    CensusRound.objects.filter(pk=census_round.pk).update(state=sorted(APPROVED_STATES)[0])
    return commune, seconds


def _cycle(commune: Any, year: int) -> Any:
    from ketnghia.programs.models import Program, ProgramCommune
    from ketnghia.support import services

    province = commune.parent.parent
    program = Program.objects.create(code="nq04", name="Nghị quyết 04", start_date=date(2007, 1, 1))
    ProgramCommune.objects.create(
        program=program, commune=commune, is_key=True, valid_from=date(2007, 1, 1)
    )
    document = services.document_create(
        program=program,
        number="1/QĐ-UBND",
        issued_on=date(year + 1, 1, 15),
        issuer="Ủy ban nhân dân tỉnh Kon Tum",
        kind="decision",
        unit=province,
        actor=None,
    )
    fund = services.fund_create(
        document=document, year=year + 1, source="province", unit=province, actor=None
    )
    services.fund_allocate(fund=fund, amount=10**15, entered_on=date(year + 1, 1, 15), actor=None)
    package = services.package_create(
        document=document,
        name="Cây giống",
        kind="seedlings",
        form="in_kind",
        unit="cây",
        unit_value=5_000,
        quantity="10",
        multiplier="members",
        cap="40",
        recipient_level="household",
        target_rule=RULE,
        actor=None,
    )
    return services.cycle_create(
        package=package,
        fund=fund,
        commune=commune,
        name="Cấp cây giống",
        decision_date=date(year + 1, 2, 1),
        census_as_of=date(year, 12, 31),
        actor=None,
    )


def _write_deliveries(path: Path, cycle: Any, day: date) -> int:
    from ketnghia.support.delivery_import import columns as cols
    from ketnghia.support.models import Delivery

    keys = (cols.HOUSEHOLD, cols.QUANTITY, cols.DELIVERED_ON, cols.SOURCE)
    rows = Delivery.objects.filter(cycle=cycle).values_list("household__code", "entitled_quantity")
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([cols.BY_KEY[key].header for key in keys])
        for household_code, entitled in rows.iterator(chunk_size=10_000):
            writer.writerow(
                [
                    household_code,
                    f"{entitled:f}".replace(".", ","),
                    day.strftime("%d/%m/%Y"),
                    "Ngân sách tỉnh",
                ]
            )
            count += 1
    return count


def measure(directory: Path, rows: int = ROWS) -> dict[str, Any]:
    """Set everything up, time the census import, the proposal and the delivery import."""
    from django.db import connection

    from bench import generate
    from ketnghia.accounts.models import User
    from ketnghia.support import services, targeting
    from ketnghia.support.delivery_import.pipeline import delivery_import
    from ketnghia.support.models import CycleState, Delivery

    commune, census_seconds = _census(directory, rows)
    cycle = _cycle(commune, generate.YEAR)
    program = cycle.package.document.program
    tree = targeting.rule_tree(RULE, level="household")
    started = time.perf_counter()
    table = targeting.household_table(
        commune_ids=[commune.pk], on=cycle.census_as_of, program=program
    )
    chosen = len(targeting.chosen_rows(tree, table))
    evaluate_seconds = time.perf_counter() - started
    started = time.perf_counter()
    proposed = services.cycle_propose(cycle=cycle, actor=None)
    propose_seconds = time.perf_counter() - started
    services.cycle_submit(cycle=cycle, actor=None)
    services.cycle_approve(cycle=cycle, actor=None, on=cycle.decision_date)
    day = date(generate.YEAR + 1, 3, 1)
    path = directory / f"support-deliveries-{rows}.csv"
    written = _write_deliveries(path, cycle, day)
    User.objects.filter(username="bench").update(is_superuser=True)
    actor = User.objects.get(username="bench")
    started = time.perf_counter()
    report = delivery_import(path=path, cycle=cycle, actor=actor, confirm=True, today=day)
    import_seconds = time.perf_counter() - started
    cycle.refresh_from_db()
    return {
        "vendor": connection.vendor,
        "households": len(table),
        "chosen": chosen,
        "proposed": proposed,
        "census_seconds": census_seconds,
        "census_rows": rows,
        "evaluate_seconds": evaluate_seconds,
        "propose_seconds": propose_seconds,
        "delivery_rows": written,
        "recorded": report.recorded,
        "import_seconds": import_seconds,
        "delivered": cycle.state == CycleState.DELIVERED,
        "history": Delivery.history.filter(history_type="~").count(),
    }


def add_lines(report: Any, database: str, result: dict[str, Any], seconds_format: Any) -> None:
    """Add the support lines to `make bench`'s table."""
    households = result["households"]
    report.add(
        f"support target rule, facts read + evaluated ({result['chosen']:,} chosen)",
        database,
        f"{households:,}",
        seconds_format(result["evaluate_seconds"]),
        f"{households / result['evaluate_seconds']:,.0f} households/s",
    )
    seconds = result["propose_seconds"]
    report.add(
        "support cycle proposal (rule + deliveries written with history)",
        database,
        f"{households:,}",
        seconds_format(seconds),
        # Beside the census import of the same households, run just before under the same
        # load: on a shared machine the absolute time follows the load.
        f"{result['proposed']:,} proposed, {seconds / result['census_seconds']:.2f}× census",
        f"< {TARGET_PROPOSAL_SECONDS:.0f} s",
        "met" if seconds < TARGET_PROPOSAL_SECONDS else "NOT met",
    )
    census = result["census_seconds"] / result["census_rows"]
    delivery = result["import_seconds"] / result["delivery_rows"]
    report.add(
        "census import, same database (reference time per row)",
        database,
        f"{result['census_rows']:,}",
        seconds_format(result["census_seconds"]),
        f"{census * 1e6:,.1f} µs/row",
    )
    ratio = delivery / census
    report.add(
        "delivery import (checks, plan, staged UPDATE + history rows)",
        database,
        f"{result['delivery_rows']:,}",
        seconds_format(result["import_seconds"]),
        f"{delivery * 1e6:,.1f} µs/row = {ratio:.2f}× census",
        f"≤ {TARGET_PER_ROW_RATIO:.0f}×",
        "met" if ratio <= TARGET_PER_ROW_RATIO and result["delivered"] else "NOT met",
    )


if __name__ == "__main__":
    import django

    django.setup()
