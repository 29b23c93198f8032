"""The demo's criteria: the article's 2015 figures are what the engine gives on its facts."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from ketnghia.criteria.domain import Level
from ketnghia.criteria.models import Assessment, CommuneInfrastructure, Road, VillageFacts
from ketnghia.criteria.selectors import criteria_set_get, evaluate_units, units_for
from ketnghia.programs.selectors import program_get

pytestmark = pytest.mark.django_db


def _evaluate(set_code: str, level: str, year: int) -> dict:
    out = StringIO()
    call_command(
        "criteria",
        "evaluate",
        "--set",
        set_code,
        "--year",
        str(year),
        "--level",
        level,
        "--program",
        "nq04",
        "--json",
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_118_of_409_villages_basically_meet_the_example_set_in_2015(demo):
    data = _evaluate("nvv-example", Level.VILLAGE, 2015)
    assert data["counts"]["total"] == 409
    assert data["counts"]["basically_meets"] + data["counts"]["meets"] == 118
    failing = [u for u in data["units"] if u["result"] == "not_met"]
    assert all(u["failing"] for u in failing)


def test_at_least_23_of_53_communes_basically_meet_it_in_2015(demo):
    data = _evaluate("nvv-example", Level.COMMUNE, 2015)
    assert data["counts"]["total"] == 53
    assert data["counts"]["basically_meets"] + data["counts"]["meets"] >= 23


def test_every_commune_has_an_all_season_road_from_2015(demo):
    rows = CommuneInfrastructure.objects.filter(year__gte=2015)
    assert rows.count() == 53 * 11
    assert set(rows.values_list("road_to_centre", flat=True)) == {Road.ALL_SEASON}
    assert (
        CommuneInfrastructure.objects.filter(year=2007)
        .exclude(road_to_centre=Road.ALL_SEASON)
        .exists()
    )


def test_stored_results_are_the_engines_on_the_stored_facts(demo):
    assert VillageFacts.objects.count() == 409 * 19
    stored = Assessment.objects.filter(
        year=2015, set_version__code="nvv-example", set_version__level=Level.VILLAGE
    )
    assert stored.exclude(outcome="not_met").count() == 118
    criteria_set = criteria_set_get(code="nvv-example", level=Level.VILLAGE, year=2015)
    units = units_for(level=Level.VILLAGE, year=2015, program=program_get("nq04"))
    evaluation, _table = evaluate_units(criteria_set=criteria_set, units=units, year=2015)
    by_unit = dict(stored.values_list("unit__code", "outcome"))
    assert all(by_unit[u.code] == evaluation.result(i).outcome.code for i, u in enumerate(units))


def test_the_new_rural_set_evaluates_on_the_demo(demo):
    data = _evaluate("ntm-2021", Level.COMMUNE, 2022)
    assert data["counts"]["total"] == 53
    assert len(data["units"][0]["failing"]) + len(data["units"][0]["missing"]) >= 1
    assert Assessment.objects.filter(set_version__code="ntm-2021", year=2022).count() == 53
