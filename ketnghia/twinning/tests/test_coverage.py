"""Coverage figures over a small network: each a numerator over a denominator, and the CLI."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from ketnghia.core.gate import EVERYTHING, UnitScope
from ketnghia.twinning import rules
from ketnghia.twinning.coverage import (
    activities_by_quarter,
    commune_gaps,
    communes_not_visited,
    coverage_report,
    party_member_loads,
    resources_by_organisation,
)
from ketnghia.twinning.tests.network import covered_network

pytestmark = pytest.mark.django_db


@pytest.fixture
def covered(tree, users):
    """See `network.covered_network`."""
    return covered_network(tree, users)


def test_coverage_per_commune_and_totals(tree, covered):
    program, _ = covered
    report = coverage_report(scope=EVERYTHING, program=program, year=2015)
    by_code = {row.commune.code: row.measures for row in report.communes}
    ngok = by_code["23500"]
    assert ngok["has_twinning_unit"] == rules.Ratio(1, 1)
    assert ngok["villages_with_district_office"] == rules.Ratio(1, 2)
    assert ngok["villages_with_committee_member"] == rules.Ratio(1, 2)
    assert ngok["poor_households_with_party_member"] == rules.Ratio(1, 2)
    assert ngok["activities"] == rules.Ratio(1, 2)
    assert ngok["party_members_within_cap"] == rules.Ratio(1, 1)
    mar = by_code["23488"]
    assert mar["has_twinning_unit"] == rules.Ratio(0, 1)
    assert mar["poor_households_with_party_member"] == rules.Ratio(0, 0)
    assert report.totals["has_twinning_unit"] == rules.Ratio(1, 2)
    assert report.totals["villages_with_district_office"] == rules.Ratio(1, 3)
    # 2014's round lists A, B poor and C near-poor: A alone is covered.
    earlier = coverage_report(scope=EVERYTHING, program=program, year=2014)
    assert earlier.communes[1].measures["poor_households_with_party_member"] == rules.Ratio(1, 3)


def test_coverage_inside_a_scope_leaves_other_communes_out(tree, covered):
    program, _ = covered
    report = coverage_report(
        scope=UnitScope(paths=frozenset({tree.ngok_wang.path})), program=program, year=2015
    )
    assert [row.commune.code for row in report.communes] == ["23500"]


def test_drill_down_rows_match_the_figures(tree, covered):
    _program, net = covered
    gaps = commune_gaps(scope=EVERYTHING, commune=tree.ngok_wang, year=2015)
    assert [v.code for v in gaps.villages_without_office] == [net.village_a2.code]
    assert [v.code for v in gaps.villages_without_committee_member] == [tree.village_a.code]
    assert [e.household_code for e in gaps.uncovered_entries] == ["D"]
    loads = party_member_loads(scope=EVERYTHING, commune=tree.ngok_wang, on=date(2015, 12, 31))
    assert [(m.person.full_name, m.households, m.over_cap) for m in loads] == [
        ("Y Blong", 1, False)
    ]
    quarters = activities_by_quarter(scope=EVERYTHING, communes=[tree.ngok_wang], year=2015)
    assert quarters[tree.ngok_wang.pk] == [1, 0, 1, 0]
    stale = communes_not_visited(
        scope=EVERYTHING, communes=[tree.ngok_wang, tree.dak_mar], on=date(2015, 12, 31), months=6
    )
    assert [(c.code, last) for c, last in stale] == [
        ("23500", date(2015, 2, 1)),
        ("23488", None),
    ]
    assert resources_by_organisation(scope=EVERYTHING, communes=[tree.ngok_wang]) == [
        ("Sở Y tế tỉnh Kon Tum", 2015, 10_000_000, 2)
    ]


def test_cli_prints_every_measure_as_numerator_and_denominator(tree, covered):
    out = StringIO()
    call_command("coverage", "--program", "nq04", "--year", "2015", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["program"] == "nq04" and data["year"] == 2015
    ngok = next(c for c in data["communes"] if c["code"] == "23500")
    assert ngok["name"] == "Xã Ngọk Wang"
    assert ngok["measures"]["poor_households_with_party_member"] == {
        "numerator": 1,
        "denominator": 2,
    }
    for name in (
        "poor_households_with_party_member",
        "villages_with_committee_member",
        "villages_with_district_office",
        "has_twinning_unit",
        "activities",
    ):
        assert set(data["totals"][name]) == {"numerator", "denominator"}
    assert data["totals"]["has_twinning_unit"] == {"numerator": 1, "denominator": 2}
