"""`ketnghia support models|outcomes`: the economy's subcommands of the support command."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ketnghia.conftest import Tree
from ketnghia.economy import services
from ketnghia.economy.outcomes import analyse_kind
from ketnghia.economy.tests.conftest import KIND, Planted
from ketnghia.households.models import Household


def _run(*args: str) -> str:
    out = StringIO()
    call_command("support", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_outcomes_json_recovers_the_planted_effect_with_balance_and_pre_periods(
    planted: Planted,
) -> None:
    payload = json.loads(_run("outcomes", "--program", "nq04", "--json"))
    cohorts = [c for c in payload["outcomes"] if c["kind"] == KIND]
    assert [c["start_year"] for c in cohorts] == [2018, 2019, 2020]
    first = cohorts[0]
    assert set(first) >= {
        "kind",
        "start_year",
        "supported",
        "matched",
        "strata",
        "balance",
        "pre_periods",
        "att",
    }
    assert first["matched"] <= first["supported"] and first["strata"] > 0
    assert {"smd_before", "smd_after"} <= set(first["balance"][0])
    assert [p["year"] for p in cohorts[-1]["pre_periods"]] == [2016, 2017, 2018]
    overall = next(k for k in payload["kinds"] if k["kind"] == KIND)
    # What the database gives is what the estimator gives on the same panel held in memory.
    expected = analyse_kind(planted.panel, planted.rows, KIND)
    assert expected.att is not None
    assert overall["att"] == expected.att.as_dict()
    assert overall["att"]["ci_low"] > 0


@pytest.mark.django_db
def test_outcomes_says_why_a_small_kind_gets_no_estimate(planted: Planted, settings) -> None:
    settings.KETNGHIA_OUTCOME_MIN_GROUP = 5000
    payload = json.loads(_run("outcomes", "--program", "nq04", "--json", "--kind", KIND))
    assert all(c["estimated"] is False and c["reason"] for c in payload["outcomes"])
    assert "att" not in payload["outcomes"][0]
    text = _run("outcomes", "--program", "nq04")
    assert "5000" in text


@pytest.mark.django_db
def test_models_json_counts_replicated_villages_and_households(
    tree: Tree, planted: Planted
) -> None:
    origin = services.economic_model_create(
        code="bo-01",
        name="Nuôi bò",
        kind="livestock",
        village=tree.village_a,
        start_date=date(2016, 1, 1),
        actor=None,
    )
    other_village = Household.objects.filter(commune=tree.dak_mar).first().village
    copy = services.economic_model_create(
        code="bo-02",
        name="Nuôi bò (nhân rộng)",
        kind="livestock",
        village=other_village,
        start_date=date(2018, 1, 1),
        origin=origin,
        actor=None,
    )
    services.participation_add(
        model=copy,
        households=Household.objects.filter(village=other_village)[:7],
        joined_year=2018,
        actor=None,
    )
    payload = json.loads(_run("models", "--program", "nq04", "--json"))
    rows = {m["code"]: m for m in payload["models"]}
    assert rows["bo-01"] == {
        "code": "bo-01",
        "name": "Nuôi bò",
        "kind": "livestock",
        "host_village": tree.village_a.name,
        "households": 0,
        "replicated_villages": 1,
        "replicated_households": 7,
    }
    assert "bo-02" in _run("models", "--program", "nq04")


@pytest.mark.django_db
def test_an_unknown_program_is_refused() -> None:
    with pytest.raises(CommandError):
        _run("models", "--program", "nope")


@pytest.mark.django_db
def test_an_analysis_is_kept_until_the_census_changes(planted: Planted, monkeypatch) -> None:
    from ketnghia.census.models import CensusRound, RoundState
    from ketnghia.economy import panel

    reads = []
    real = panel.program_panel
    monkeypatch.setattr(panel, "program_panel", lambda *a, **k: reads.append(1) or real(*a, **k))
    panel.program_outcomes(planted.program)
    panel.program_outcomes(planted.program)
    assert len(reads) == 1
    CensusRound.objects.filter(year=2016).update(state=RoundState.DRAFT)
    panel.program_outcomes(planted.program)
    assert len(reads) == 2
