"""A small program with a census panel in the database and support planted on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest

from ketnghia.census.models import CensusEntry, CensusRound, RoundState
from ketnghia.conftest import Tree, make_unit
from ketnghia.economy.outcomes import Panel
from ketnghia.economy.synthetic import YEARS, synthetic_panel
from ketnghia.geo.models import UnitKind, UnitLevel
from ketnghia.households.models import Household, Member, Relation, Sex
from ketnghia.programs.models import Program, ProgramCommune

KIND = "breeding_livestock"


@dataclass
class Planted:
    program: Program
    rows: list[tuple[int, str, int]]
    effect: float
    panel: Panel


def _standard(year: int) -> str:
    return "vn-2016" if year < 2022 else "vn-2022"


@pytest.fixture(autouse=True)
def _household_comparison(settings) -> None:
    """The synthetic panels draw support household by household inside villages (every village
    is reached), so their comparison households are the not-yet-supported households."""
    settings.KETNGHIA_OUTCOME_COMPARISON = "household"


@pytest.fixture(autouse=True)
def _no_cached_outcomes() -> None:
    """Start every test with no outcome analysis kept from another test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def planted(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> Planted:
    """Build 1,200 households in 24 villages of two communes, 2016–2022, support planted at +0.12."""
    effect = 0.12
    data = synthetic_panel(11, effect=effect, households=1200, villages=24)
    program = Program.objects.create(code="nq04", name="Nghị quyết 04", start_date=date(2007, 1, 1))
    communes = [tree.ngok_wang, tree.dak_mar]
    for commune in communes:
        ProgramCommune.objects.create(
            program=program,
            commune=commune,
            valid_from=date(2007, 1, 1),
            is_key=commune == tree.ngok_wang,
        )
    villages = [
        make_unit(
            f"{communes[v // 12].code}-{10 + v:02d}",
            f"Làng Kon {v}",
            UnitLevel.VILLAGE,
            UnitKind.LANG,
            communes[v // 12],
        )
        for v in range(24)
    ]
    panel = data.panel
    households = Household.objects.bulk_create(
        [
            Household(
                commune=villages[int(panel.village[i])].parent,
                village=villages[int(panel.village[i])],
                code=f"H{i:05d}",
                head_name=f"A Hộ {i}",
                unit_path=villages[int(panel.village[i])].path,
            )
            for i in range(len(panel.household_ids))
        ]
    )
    Member.objects.bulk_create(
        [
            Member(
                household=h,
                full_name=h.head_name,
                sex=Sex.MALE,
                ethnicity="01" if panel.traits["ethnicity"][i] == "Kinh" else "03",
                relation=Relation.HEAD,
            )
            for i, h in enumerate(households)
        ]
    )
    pk_of = {int(panel.household_ids[i]): h.pk for i, h in enumerate(households)}
    entries = []
    for commune in communes:
        for j, year in enumerate(YEARS):
            census_round = CensusRound.objects.create(
                commune=commune,
                year=year,
                standard_code=_standard(year),
                state=RoundState.PROVINCE_ACCEPTED,
            )
            for i, h in enumerate(households):
                status = panel.poor[i, j]
                if h.commune_id != commune.pk or np.isnan(status):
                    continue
                label = "poor" if status == 1 else "near_poor"
                entries.append(
                    CensusEntry(
                        round=census_round,
                        household=h,
                        household_code=h.code,
                        head_name=h.head_name,
                        area="rural",
                        member_count=int(panel.traits["household_size"][i]),
                        monthly_income_per_person=int(panel.traits["baseline_income"][i]),
                        deprivation_count=int(panel.traits["deprivations"][i]),
                        computed_status=label,
                        rule="test",
                        status=label,
                    )
                )
    CensusEntry.objects.bulk_create(entries, batch_size=2000)
    rows = [(pk_of[h], kind, year) for h, kind, year in data.rows]
    monkeypatch.setattr(
        "ketnghia.economy.panel.support_rows",
        lambda program, *, kinds=None: [r for r in rows if not kinds or r[1] in kinds],
    )
    # The same panel as the database holds it: commune group = key commune (villages 0–11),
    # no region recorded, ethnicity by its code, households by their database ids.
    as_stored = Panel.build(
        household_ids=[pk_of[int(h)] for h in panel.household_ids],
        village_ids=[villages[int(v)].pk for v in panel.village],
        years=YEARS,
        poor=panel.poor,
        traits={
            **panel.traits,
            "commune_group": np.where(panel.village < 12, "key", "other"),
            "region": np.full(len(panel.village), ""),
            "ethnicity": np.where(panel.traits["ethnicity"] == "Kinh", "01", "03"),
        },
    )
    return Planted(program, rows, effect, as_stored)
