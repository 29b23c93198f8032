"""The demo's economic models: several hundred invented models hosted by the program's
villages, about a third of the effective ones replicated to other villages, with yearly
results from their start to 2025.

Everything here is invented from a seeded generator (the description of every model says
so): names from a list of models common in the Central Highlands, the supporting twinning
unit of the host commune, participating households drawn from the host village (a
replication of a neighbouring commune's model takes some households across the border, with
the reason), output and income drawn around plausible levels. Written in bulk without
history rows, like the census, inside `demo_load`'s transaction; skipped when the demo's
models already exist (codes `demo-…`).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from ketnghia.accounts.models import Actor
from ketnghia.economy.models import (
    EconomicModel,
    ModelKind,
    ModelResult,
    ModelStatus,
    Participation,
)
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.models import Household
from ketnghia.programs.models import Program
from ketnghia.twinning.models import Twinning

LAST_YEAR = 2025
DESCRIPTION = "Mô hình mẫu do bộ sinh dữ liệu demo tạo ra (số liệu giả lập, không phải thống kê)."

# (kind, name, unit of output, output per household, income per household in VND a year)
CATALOGUE: tuple[tuple[str, str, str, float, int], ...] = (
    (ModelKind.CROP, "Trồng cà phê xen canh", "tấn", 1.2, 24_000_000),
    (ModelKind.CROP, "Trồng sâm dây dưới tán rừng", "kg", 40.0, 30_000_000),
    (ModelKind.CROP, "Trồng lúa nước hai vụ", "tấn", 3.0, 12_000_000),
    (ModelKind.CROP, "Trồng mì cao sản", "tấn", 12.0, 15_000_000),
    (ModelKind.CROP, "Trồng chanh dây", "tấn", 4.0, 28_000_000),
    (ModelKind.CROP, "Trồng mắc ca", "tấn", 0.6, 20_000_000),
    (ModelKind.LIVESTOCK, "Nuôi bò sinh sản", "con", 1.5, 18_000_000),
    (ModelKind.LIVESTOCK, "Nuôi heo đen địa phương", "con", 8.0, 16_000_000),
    (ModelKind.LIVESTOCK, "Nuôi dê", "con", 6.0, 14_000_000),
    (ModelKind.LIVESTOCK, "Nuôi cá nước ngọt", "tấn", 0.8, 13_000_000),
    (ModelKind.LIVESTOCK, "Nuôi gà thả vườn", "con", 120.0, 10_000_000),
    (ModelKind.FORESTRY, "Trồng rừng keo lai", "ha", 1.0, 11_000_000),
    (ModelKind.FORESTRY, "Nhận khoán bảo vệ rừng", "ha", 20.0, 8_000_000),
    (ModelKind.HANDICRAFT, "Dệt thổ cẩm", "sản phẩm", 30.0, 9_000_000),
    (ModelKind.HANDICRAFT, "Đan lát mây tre", "sản phẩm", 60.0, 7_000_000),
    (ModelKind.SERVICE, "Tổ dịch vụ xay xát, làm đất", "lượt", 200.0, 12_000_000),
    (ModelKind.SERVICE, "Du lịch cộng đồng", "lượt khách", 150.0, 15_000_000),
)
ORIGINALS = 320
REPLICATIONS = 160


@dataclass
class EconomyReport:
    models: int = 0
    replications: int = 0
    participants: int = 0
    results: int = 0


def write_models(*, program: Program, seed: int, actor: Actor = None) -> EconomyReport:
    """Write the demo's models over `program`'s villages (nothing when they already exist)."""
    report = EconomyReport()
    if EconomicModel.objects.filter(code__startswith="demo-").exists():
        return report
    rng = random.Random(seed * 19 + 4)
    communes = list(
        Unit.objects.filter(pk__in=program.memberships.values("commune_id")).order_by("code")
    )
    villages = list(
        Unit.objects.filter(level=UnitLevel.VILLAGE, parent__in=communes).order_by("code")
    )
    if not villages:
        return report
    households: dict[int, list[int]] = defaultdict(list)
    for pk, village_id in Household.objects.filter(
        Q(left_year__isnull=True) | Q(left_year__gt=2015), commune__in=communes
    ).values_list("pk", "village_id"):
        if village_id is not None:
            households[village_id].append(pk)
    twinned = dict(
        Twinning.objects.filter(commune__in=communes)
        .order_by("commune_id", "start_date")
        .values_list("commune_id", "organisation_id")
    )
    villages_of: dict[int, list[Unit]] = defaultdict(list)
    for village in villages:
        villages_of[village.parent_id].append(village)

    def plan(
        number: int, village: Unit, origin: EconomicModel | None, start: date
    ) -> EconomicModel:
        kind, name, unit, _output, _income = (
            next(c for c in CATALOGUE if c[1] == origin.name.split(" — ")[0])
            if origin
            else rng.choice(CATALOGUE)
        )
        age = LAST_YEAR - start.year
        status = (
            ModelStatus.STOPPED
            if rng.random() < 0.12
            else ModelStatus.EFFECTIVE
            if age >= 2 and rng.random() < 0.75
            else ModelStatus.TRIAL
        )
        return EconomicModel(
            code=f"demo-{number:04d}",
            name=f"{name} — {village.name}",
            kind=kind,
            village=village,
            commune_id=village.parent_id,
            organisation_id=twinned.get(village.parent_id),
            start_date=start,
            status=status,
            origin=origin,
            output_unit=unit,
            description=DESCRIPTION,
            unit_path=village.path,
        )

    originals = [
        plan(
            i + 1,
            rng.choice(villages),
            None,
            date(rng.randint(2008, 2022), rng.randint(1, 12), 1),
        )
        for i in range(ORIGINALS)
    ]
    EconomicModel.objects.bulk_create(originals)
    effective = [m for m in originals if m.status == ModelStatus.EFFECTIVE]
    replications = []
    parents = list(effective)
    for i in range(REPLICATIONS):
        origin = rng.choice(parents)
        if origin.start_date.year >= LAST_YEAR - 1:
            continue
        nearby = villages_of[origin.commune_id] if rng.random() < 0.6 else villages
        village = rng.choice([v for v in nearby if v.pk != origin.village_id] or villages)
        start = date(rng.randint(origin.start_date.year + 1, LAST_YEAR - 1), rng.randint(1, 12), 1)
        replications.append(plan(ORIGINALS + i + 1, village, origin, start))
    EconomicModel.objects.bulk_create(replications)
    report.models = len(originals) + len(replications)
    report.replications = len(replications)

    participations = []
    results = []
    catalogue = {c[1]: c for c in CATALOGUE}
    for model in [*originals, *replications]:
        pool = households.get(model.village_id, [])
        chosen = rng.sample(pool, min(len(pool), rng.randint(5, 25)))
        for household_id in chosen:
            participations.append(
                Participation(
                    model=model, household_id=household_id, joined_year=model.start_date.year
                )
            )
        if model.origin is not None and model.origin.commune_id != model.commune_id:
            # A few households of the origin's village help start the copy across the border.
            helpers = households.get(model.origin.village_id, [])
            for household_id in rng.sample(helpers, min(len(helpers), 2)):
                participations.append(
                    Participation(
                        model=model,
                        household_id=household_id,
                        joined_year=model.start_date.year,
                        reason="Hộ của mô hình gốc giúp hướng dẫn kỹ thuật",
                    )
                )
        _kind, _name, _unit, output, income = catalogue[model.name.split(" — ")[0]]
        last = (
            LAST_YEAR
            if model.status != ModelStatus.STOPPED
            else min(LAST_YEAR, model.start_date.year + rng.randint(1, 3))
        )
        growth = 1.0
        for year in range(model.start_date.year, last + 1):
            growth *= rng.uniform(0.95, 1.15)
            count = len(chosen)
            results.append(
                ModelResult(
                    model=model,
                    year=year,
                    output=Decimal(str(round(output * count * growth * rng.uniform(0.8, 1.2), 1))),
                    income_per_household=int(income * growth * rng.uniform(0.8, 1.2))
                    // 1000
                    * 1000,
                    households=count,
                )
            )
    Participation.objects.bulk_create(participations, ignore_conflicts=True, batch_size=5000)
    ModelResult.objects.bulk_create(results, batch_size=5000)
    report.participants = len(participations)
    report.results = len(results)
    return report
