"""The demo's review 2007 → 2015 of nq04 shows the article's figures, as engine results on rows."""

from __future__ import annotations

import pytest

from ketnghia.core.gate import EVERYTHING, Action, scope_for
from ketnghia.criteria import services as criteria_services
from ketnghia.criteria.models import Road
from ketnghia.demo.tests.conftest import demo  # the whole demo, loaded once for the session
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.indicators import selectors, services
from ketnghia.indicators.tests import fixture
from ketnghia.programs.models import Program

__all__ = ["demo"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def nq04(demo) -> Program:
    return Program.objects.get(code="nq04")


def test_the_demo_review_shows_the_articles_figures(nq04):
    y2007 = selectors.program_figures(scope=EVERYTHING, program=nq04, year=2007)
    y2015 = selectors.program_figures(scope=EVERYTHING, program=nq04, year=2015)
    key = selectors.program_figures(
        scope=EVERYTHING, program=nq04, year=2015, disaggregation="group:key"
    )
    assert y2007["poverty_rate"].value > 57
    assert y2015["poverty_rate"].value < 35
    assert (y2015["communes_below_30"].numerator, y2015["communes_below_30"].denominator) == (
        18,
        53,
    )
    assert key["poverty_rate"].value == pytest.approx(44, abs=0.5)
    assert y2015["road_access_share"].value == 100
    assert y2015["communes_meeting_criteria"].numerator >= 23
    assert y2015["communes_meeting_criteria"].value > 42
    assert y2015["communes_meeting_criteria"].denominator == 53
    villages = y2015["villages_meeting_criteria"]
    assert (villages.numerator, villages.denominator) == (118, 409)


def test_the_demo_figures_equal_direct_counts_and_the_check_finds_nothing(nq04):
    ids = fixture.members(nq04, 2015)
    key_ids = fixture.members(nq04, 2015, key_only=True)
    assert len(ids) == 53 and len(key_ids) == 20
    y2015 = selectors.program_figures(scope=EVERYTHING, program=nq04, year=2015)
    key = selectors.program_figures(
        scope=EVERYTHING, program=nq04, year=2015, disaggregation="group:key"
    )

    def pair(code: str, figures=y2015) -> tuple[float, float]:
        return (figures[code].numerator, figures[code].denominator)

    assert pair("poverty_rate") == fixture.poverty(ids, 2015)
    assert pair("poverty_rate", key) == fixture.poverty(key_ids, 2015)
    assert pair("communes_below_30") == fixture.below(ids, 2015)
    assert pair("road_access_share") == fixture.roads(ids, 2015)
    assert pair("communes_meeting_criteria") == fixture.criteria(ids, 2015, UnitLevel.COMMUNE)
    assert pair("villages_meeting_criteria") == fixture.criteria(ids, 2015, UnitLevel.VILLAGE)
    assert pair("poor_households_with_party_member") == fixture.coverage(nq04, 2015)
    assert y2015["twinning_activities"].numerator == fixture.activities(ids, 2015)
    assert services.aggregates_check() == []


def test_the_demo_has_targets_and_breaks_in_series(nq04):
    targets = selectors.targets_for(program=nq04, year=2015)
    assert targets["poverty_rate"].target == 35
    found = selectors.breaks_in_series(program=nq04, years=range(2007, 2026))
    assert [b.year for b in found] == [2011, 2016, 2022]


def test_a_road_lost_in_one_commune_moves_only_its_rows(nq04):
    commune = Unit.objects.get(pk=fixture.members(nq04, 2015)[0])
    criteria_services.infrastructure_set(
        commune=commune, year=2015, values={"road_to_centre": Road.NONE}, actor=None
    )
    y2015 = selectors.program_figures(scope=EVERYTHING, program=nq04, year=2015)
    assert (y2015["road_access_share"].numerator, y2015["road_access_share"].denominator) == (
        52,
        53,
    )
    district = selectors.program_figures(
        scope=EVERYTHING, program=nq04, year=2015, unit=commune.parent
    )
    assert district["road_access_share"].value < 100
    assert services.aggregates_check() == []


def test_a_district_officer_sees_their_district_only(nq04):
    from ketnghia.accounts.models import User

    officer = User.objects.get(username="demo-district")
    scope = scope_for(officer, Action.VIEW)
    other = (
        Unit.objects.filter(level=UnitLevel.DISTRICT)
        .exclude(pk=officer.jurisdiction_id)
        .filter(pk__in=Unit.objects.filter(pk__in=fixture.members(nq04, 2015)).values("parent"))
        .first()
    )
    with pytest.raises(Unit.DoesNotExist):
        selectors.program_figures(scope=scope, program=nq04, year=2015, unit=other)
    own = selectors.program_figures(scope=scope, program=nq04, year=2015, unit=officer.jurisdiction)
    assert own["poverty_rate"].unit_code == officer.jurisdiction.code
