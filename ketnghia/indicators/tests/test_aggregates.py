"""The maintained aggregates on a small hand-made program: each figure equals a direct count
over the source rows; writes through the services move exactly the affected rows; a refresh
gives what a rebuild gives."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection

from ketnghia.census import services as census_services
from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.core.gate import EVERYTHING, Action, scope_for
from ketnghia.criteria import services as criteria_services
from ketnghia.criteria.models import Road
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.geo.services import unit_classify
from ketnghia.indicators import selectors, services
from ketnghia.indicators.models import Aggregate
from ketnghia.indicators.tests import fixture
from ketnghia.twinning import services as twinning_services
from ketnghia.twinning.models import ActivityKind, WorkTeam

pytestmark = pytest.mark.django_db


def _pair(figure: selectors.Figure | None) -> tuple[float, float] | None:
    return None if figure is None else (figure.numerator, figure.denominator)


def _snapshot() -> dict[tuple, tuple[float, float, object]]:
    return {
        (a.indicator, a.unit_id, a.period, a.disaggregation, a.official): (
            a.numerator,
            a.denominator,
            a.refreshed_at,
        )
        for a in Aggregate.objects.all()
    }


def _moved(before: dict, after: dict) -> set[tuple]:
    """Return the keys whose numbers changed, appeared or disappeared."""
    keys = before.keys() | after.keys()
    return {
        k for k in keys if (before.get(k) or (None, None))[:2] != (after.get(k) or (None, None))[:2]
    }


def _touched(before: dict, after: dict) -> set[int]:
    """Return the units whose rows were rewritten (a new refresh time) or moved."""
    keys = before.keys() | after.keys()
    return {k[1] for k in keys if before.get(k) != after.get(k)}


@pytest.fixture
def small(tree, users) -> fixture.Small:
    return fixture.small_program(tree, users)


def test_every_figure_equals_a_direct_count_over_the_rows(small, tree):
    program = small.program
    services.aggregates_rebuild()
    all_ids = fixture.members(program, 2015)
    key_ids = fixture.members(program, 2015, key_only=True)
    figures = selectors.program_figures(scope=EVERYTHING, program=program, year=2015)
    assert _pair(figures["poverty_rate"]) == fixture.poverty(all_ids, 2015)
    assert figures["poverty_rate"].numerator > 0
    assert _pair(figures["communes_below_30"]) == fixture.below(all_ids, 2015) == (1, 2)
    assert _pair(figures["road_access_share"]) == fixture.roads(all_ids, 2015) == (2, 3)
    assert _pair(figures["communes_meeting_criteria"]) == fixture.criteria(
        all_ids, 2015, UnitLevel.COMMUNE
    )
    assert _pair(figures["villages_meeting_criteria"]) == fixture.criteria(
        all_ids, 2015, UnitLevel.VILLAGE
    )
    assert _pair(figures["poor_households_with_party_member"]) == fixture.coverage(program, 2015)
    assert figures["twinning_activities"].numerator == fixture.activities(all_ids, 2015) == 1
    assert figures["twinning_activities"].value == 1
    assert figures["poverty_rate"].unit_level == "province"
    assert figures["poverty_rate"].value == pytest.approx(
        100 * figures["poverty_rate"].numerator / figures["poverty_rate"].denominator
    )
    # The key commune's round is not approved: no official key-commune figure.
    key = selectors.program_figures(
        scope=EVERYTHING, program=program, year=2015, disaggregation="group:key"
    )
    assert fixture.poverty(key_ids, 2015) == (0, 0)
    assert "poverty_rate" not in key
    in_progress = selectors.program_figures(
        scope=EVERYTHING, program=program, year=2015, disaggregation="group:key", official=False
    )
    assert _pair(in_progress["poverty_rate"]) == fixture.poverty(key_ids, 2015, official=False)
    assert in_progress["poverty_rate"].official is False
    # District rows: Đắk Hà holds Ngọk Wang and Đăk Mar.
    district = selectors.program_figures(
        scope=EVERYTHING, program=program, year=2015, unit=tree.dak_ha
    )
    assert _pair(district["poverty_rate"]) == fixture.poverty(
        [tree.ngok_wang.pk, tree.dak_mar.pk], 2015
    )
    # Ethnicity of the head: every head of the census factories is of group 14 (minority).
    minority = selectors.program_figures(
        scope=EVERYTHING, program=program, year=2015, disaggregation="ethnicity:minority"
    )
    assert minority["poverty_rate"].denominator > 0
    assert minority["poverty_rate"].denominator <= figures["poverty_rate"].denominator


def test_official_figures_leave_out_rounds_in_progress(small):
    services.aggregates_rebuild()
    program = small.program
    ids = fixture.members(program, 2015)
    official = selectors.program_figures(scope=EVERYTHING, program=program, year=2015)
    progress = selectors.program_figures(
        scope=EVERYTHING, program=program, year=2015, official=False
    )
    assert _pair(official["poverty_rate"]) == fixture.poverty(ids, 2015, official=True)
    assert _pair(progress["poverty_rate"]) == fixture.poverty(ids, 2015, official=False)
    assert progress["poverty_rate"].denominator == official["poverty_rate"].denominator + 3


def test_approving_a_round_moves_exactly_its_commune_district_and_province(small, tree, users):
    services.aggregates_rebuild()
    before = _snapshot()
    census_services.census_round_advance(
        census_round=small.pending, target="commune_approved", actor=users.commune_officer
    )
    after = _snapshot()
    moved = _touched(before, after)
    assert tree.dak_choong.pk in moved
    assert moved <= {tree.dak_choong.pk, tree.village_c.pk, tree.dak_glei.pk, tree.province.pk}
    assert _moved(before, after)
    ids = fixture.members(small.program, 2015)
    figures = selectors.program_figures(scope=EVERYTHING, program=small.program, year=2015)
    assert _pair(figures["poverty_rate"]) == fixture.poverty(ids, 2015)
    assert services.aggregates_check() == []


def test_returning_a_round_takes_it_out_of_the_official_figures(small, tree, users):
    services.aggregates_rebuild()
    round_2015 = CensusRound.objects.get(commune=tree.dak_mar, year=2015)
    before = selectors.program_figures(scope=EVERYTHING, program=small.program, year=2015)
    census_services.census_round_return(
        census_round=round_2015, reason="Sai số hộ", actor=users.district_officer
    )
    after = selectors.program_figures(scope=EVERYTHING, program=small.program, year=2015)
    ids = fixture.members(small.program, 2015)
    assert _pair(after["poverty_rate"]) == fixture.poverty(ids, 2015)
    assert after["poverty_rate"].denominator == before["poverty_rate"].denominator - 4
    assert services.aggregates_check() == []


def test_an_entry_override_moves_the_in_progress_figure(small, users):
    services.aggregates_rebuild()
    ids = fixture.members(small.program, 2015)
    before = selectors.program_figures(
        scope=EVERYTHING, program=small.program, year=2015, official=False
    )
    entry = CensusEntry.objects.get(round=small.pending, household_code="K3")
    assert entry.status != "poor"
    census_services.census_entry_override(
        entry=entry, status="poor", reason="Hộ mất nhà do lũ", actor=users.commune_officer
    )
    after = selectors.program_figures(
        scope=EVERYTHING, program=small.program, year=2015, official=False
    )
    assert after["poverty_rate"].numerator == before["poverty_rate"].numerator + 1
    assert _pair(after["poverty_rate"]) == fixture.poverty(ids, 2015, official=False)
    official = selectors.program_figures(scope=EVERYTHING, program=small.program, year=2015)
    assert _pair(official["poverty_rate"]) == fixture.poverty(ids, 2015)
    assert services.aggregates_check() == []


def test_an_infrastructure_input_moves_the_road_share(small, tree):
    services.aggregates_rebuild()
    before = _snapshot()
    criteria_services.infrastructure_set(
        commune=tree.dak_choong, year=2015, values={"road_to_centre": Road.ALL_SEASON}, actor=None
    )
    after = _snapshot()
    moved = {k for k in _moved(before, after)}
    assert ("road_access_share", tree.province.pk, 2015, "", True) in moved
    assert {k[1] for k in moved} <= {
        tree.dak_choong.pk,
        tree.village_c.pk,
        tree.dak_glei.pk,
        tree.province.pk,
    }
    figures = selectors.program_figures(scope=EVERYTHING, program=small.program, year=2015)
    assert _pair(figures["road_access_share"]) == (3, 3)
    assert services.aggregates_check() == []


def test_confirming_an_activity_adds_one_to_its_year(small, tree, users):
    services.aggregates_rebuild()
    team = WorkTeam.objects.get(commune=tree.ngok_wang)
    activity = twinning_services.activity_record(
        team=team, date=date(2015, 3, 3), kind=ActivityKind.VISIT, actor=None
    )
    recorded = selectors.program_figures(scope=EVERYTHING, program=small.program, year=2015)
    assert recorded["twinning_activities"].numerator == 1
    twinning_services.activity_confirm(activity=activity, actor=users.commune_officer)
    confirmed = selectors.program_figures(scope=EVERYTHING, program=small.program, year=2015)
    assert confirmed["twinning_activities"].numerator == 2
    assert services.aggregates_check() == []


def test_ending_a_party_members_assignment_moves_coverage(small, tree):
    services.aggregates_rebuild()
    from ketnghia.twinning.models import Assignment, AssignmentKind

    assignment = Assignment.objects.get(kind=AssignmentKind.MEMBER_HOUSEHOLD)
    before = selectors.program_figures(scope=EVERYTHING, program=small.program, year=2015)
    twinning_services.assignment_end(assignment=assignment, end_date=date(2015, 6, 30), actor=None)
    after = selectors.program_figures(scope=EVERYTHING, program=small.program, year=2015)
    key = "poor_households_with_party_member"
    assert after[key].numerator == before[key].numerator - 1
    assert _pair(after[key]) == fixture.coverage(small.program, 2015)
    assert services.aggregates_check() == []


def test_incremental_refreshes_equal_a_rebuild(small):
    # Everything above was written through the services (each refreshing its communes).
    incremental = {k: v[:2] for k, v in _snapshot().items()}
    assert incremental
    services.aggregates_rebuild()
    rebuilt = {k: v[:2] for k, v in _snapshot().items()}
    assert incremental == rebuilt


def test_check_reports_a_stored_row_that_is_wrong(small):
    services.aggregates_rebuild()
    assert services.aggregates_check() == []
    row = Aggregate.objects.filter(indicator="poverty_rate", unit_level="province").first()
    Aggregate.objects.filter(pk=row.pk).update(numerator=row.numerator + 1)
    found = services.aggregates_check()
    assert [(d.indicator, d.unit_id, d.year) for d in found] == [
        ("poverty_rate", row.unit_id, row.period)
    ]
    with pytest.raises(SystemExit) as exit_info:
        call_command("aggregates", "check")
    assert exit_info.value.code == 1
    call_command("aggregates", "rebuild")
    call_command("aggregates", "check")


def test_a_district_officer_cannot_read_another_district(small, tree, users):
    services.aggregates_rebuild()
    scope = scope_for(users.district_officer, Action.VIEW)
    own = selectors.program_figures(scope=scope, program=small.program, year=2015, unit=tree.dak_ha)
    assert own["poverty_rate"].unit_code == tree.dak_ha.code
    with pytest.raises(Unit.DoesNotExist):
        selectors.program_figures(scope=scope, program=small.program, year=2015, unit=tree.dak_glei)
    with pytest.raises(Unit.DoesNotExist):
        selectors.program_figures(scope=scope, program=small.program, year=2015)
    with pytest.raises(Unit.DoesNotExist):
        selectors.unit_figures(
            scope=scope, program=small.program, code="poverty_rate", year=2015, within=tree.dak_glei
        )
    rows = selectors.unit_figures(
        scope=scope, program=small.program, code="poverty_rate", year=2015
    )
    assert {f.unit_code for f in rows} == {tree.ngok_wang.code, tree.dak_mar.code}


def test_units_behind_count_figures_say_which_units_meet(small, tree):
    services.aggregates_rebuild()
    rows = selectors.units_behind(
        scope=EVERYTHING, program=small.program, code="road_access_share", year=2015
    )
    assert {f.unit_code: f.numerator for f in rows} == {
        tree.ngok_wang.code: 1,
        tree.dak_mar.code: 1,
        tree.dak_choong.code: 0,
    }
    villages = selectors.units_behind(
        scope=EVERYTHING, program=small.program, code="villages_meeting_criteria", year=2015
    )
    assert villages and {f.unit_level for f in villages} == {"village"}


def test_series_and_breaks_in_series(small):
    services.aggregates_rebuild()
    trend = selectors.series(scope=EVERYTHING, program=small.program, code="poverty_rate")
    assert [f.year for f in trend] == [2014, 2015, 2016]
    found = selectors.breaks_in_series(program=small.program, years=[2014, 2015, 2016])
    assert [(b.year, b.standard_code, b.previous_standard_code) for b in found] == [
        (2016, "vn-2016", "vn-2011")
    ]
    assert selectors.refreshed_at(program=small.program) is not None


def _read_everything(program, unit) -> None:
    selectors.program_figures(scope=EVERYTHING, program=program, year=2015)
    selectors.program_figures(scope=EVERYTHING, program=program, year=2015, unit=unit)
    selectors.unit_figures(scope=EVERYTHING, program=program, code="poverty_rate", year=2015)
    selectors.series(scope=EVERYTHING, program=program, code="poverty_rate")
    selectors.units_behind(
        scope=EVERYTHING, program=program, code="villages_meeting_criteria", year=2015
    )
    selectors.refreshed_at(program=program)
    selectors.targets_for(program=program, year=2015)


def test_selectors_read_a_fixed_number_of_queries_whatever_the_size(
    small, tree, users, django_assert_num_queries
):
    services.aggregates_rebuild()
    with django_assert_num_queries(7):
        _read_everything(small.program, tree.dak_ha)
    # Grow the data: more rounds in more years, rebuilt.
    for year in (2016, 2017, 2018):
        fixture.approve(
            fixture.make_round(
                tree.dak_mar,
                year,
                "vn-2016",
                {f"N{year}{i}": 500_000 + 100_000 * i for i in range(8)},
                village=tree.village_b,
            ),
            users.commune_officer,
        )
    services.aggregates_rebuild()
    assert Aggregate.objects.count() > 0
    with django_assert_num_queries(7):
        _read_everything(small.program, tree.dak_ha)


def test_region_rows_hold_the_communes_of_that_region(small, tree):
    services.aggregates_rebuild()
    unit_classify(
        unit=tree.ngok_wang,
        scheme="commune_region",
        value="III",
        start_year=2016,
        end_year=2020,
        actor=None,
    )
    region = selectors.program_figures(
        scope=EVERYTHING, program=small.program, year=2016, disaggregation="region:III"
    )
    assert _pair(region["poverty_rate"]) == fixture.poverty([tree.ngok_wang.pk], 2016)
    assert not selectors.program_figures(
        scope=EVERYTHING, program=small.program, year=2015, disaggregation="region:III"
    )
    assert services.aggregates_check() == []


def test_the_pass_over_the_entries_counts_the_same_one_year_at_a_time(small, monkeypatch):
    # The covered years are bits of one mask per household; more distinct years than a mask
    # holds take one pass per slice of years. One year per slice must give the same facts.
    from ketnghia.indicators import facts

    whole = facts.load_facts()
    covered_years = {
        key[1] for key, values in whole.facts.items() if "poor_households_covered" in values
    }
    assert len(covered_years) > 1
    monkeypatch.setattr(facts, "_YEAR_BITS", 1)
    assert facts.load_facts().facts == whole.facts


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the swap's DDL is PostgreSQL's")
def test_a_rebuild_keeps_the_tables_indexes_constraints_and_ids(small):
    # The swap drops and makes again every index and constraint of the aggregates: same
    # names and definitions after it (the migrations name them), ids still from the table's
    # own sequence, the rows those of a fresh computation.
    table = Aggregate._meta.db_table

    def shape() -> tuple[list, list]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1",
                [table],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                   WHERE conrelid = %s::regclass ORDER BY 1""",
                [table],
            )
            return indexes, cursor.fetchall()

    before = shape()
    assert len(before[0]) >= 7 and any(name == "uniq_aggregate" for name, _d in before[1])
    highest = Aggregate.objects.order_by("-id").values_list("id", flat=True).first()
    assert highest is not None
    services.aggregates_rebuild()
    assert shape() == before
    assert Aggregate.objects.filter(id__lte=highest).count() == 0
    assert services.aggregates_check() == []
