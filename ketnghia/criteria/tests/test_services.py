"""Stored results follow their inputs: village facts, infrastructure, the census approval."""

from __future__ import annotations

from datetime import date

import pytest

from ketnghia.census.tests.factories import approve
from ketnghia.core.errors import InvalidInput
from ketnghia.criteria import services
from ketnghia.criteria.models import Assessment, CommuneInfrastructure, VillageFacts
from ketnghia.criteria.sets import criteria_set_from_dict
from ketnghia.criteria.tests.conftest import INFRASTRUCTURE

pytestmark = pytest.mark.django_db
YEAR = 2015


def _outcome(unit, level="village", code="nvv-example"):
    return Assessment.objects.get(
        unit=unit, year=YEAR, set_version__code=code, set_version__level=level
    )


def test_census_approval_refreshes_the_results(commune, users):
    # Before the approval there is no official round: no poverty rate, so nothing meets.
    assert _outcome(commune.villages[0]).outcome == "not_met"
    assert "poverty_rate" in _outcome(commune.villages[0]).failing
    approve(commune.census_round, users.commune_officer)
    first = _outcome(commune.villages[0])
    assert first.outcome == "basically_meets"  # the assessed criterion is skipped
    assert first.inputs["poverty_rate"] == 0.0 and first.details["poverty_rate"]["threshold"] == 35
    assert _outcome(commune.villages[2]).failing == ["no_hunger"]
    assert _outcome(commune, "commune").outcome == "basically_meets"
    assert _outcome(commune, "commune").details["villages"]["value"] == pytest.approx(200 / 3)


def test_one_incident_changes_the_village_and_its_communes_roll_up(commune, users):
    approve(commune.census_round, users.commune_officer)
    assert _outcome(commune, "commune").outcome == "basically_meets"
    services.village_facts_set(
        village=commune.villages[0],
        year=YEAR,
        values={"serious_crimes": 1},
        actor=users.province_admin,
    )
    village = _outcome(commune.villages[0])
    assert village.outcome == "not_met" and village.failing == ["no_serious_crime"]
    assert village.history.count() == 3  # created, census approved, incident
    rolled = _outcome(commune, "commune")
    assert rolled.details["villages"]["value"] == pytest.approx(100 / 3)
    assert rolled.outcome == "not_met" and rolled.failing == ["villages"]
    # Putting it back restores both.
    services.village_facts_set(
        village=commune.villages[0],
        year=YEAR,
        values={"serious_crimes": 0},
        actor=users.province_admin,
    )
    assert _outcome(commune, "commune").outcome == "basically_meets"


def test_the_road_reaches_the_commune_and_nothing_is_written_twice(commune, users):
    approve(commune.census_round, users.commune_officer)
    before = Assessment.history.count()
    services.infrastructure_set(
        commune=commune, year=YEAR, values=INFRASTRUCTURE, actor=users.province_admin
    )
    assert Assessment.history.count() == before
    services.infrastructure_set(
        commune=commune,
        year=YEAR,
        values={"road_to_centre": "dry_season"},
        actor=users.province_admin,
    )
    assert _outcome(commune, "commune").outcome == "not_met"
    assert "road" in _outcome(commune, "commune").failing


def test_a_manual_assessment_needs_evidence_and_counts(commune, users):
    approve(commune.census_round, users.commune_officer)
    with pytest.raises(InvalidInput) as caught:
        services.manual_assessment_record(
            unit=commune.villages[0],
            year=YEAR,
            set_code="nvv-example",
            criterion_code="cultural_village",
            met=True,
            evidence=" ",
            assessor_name="Y Hoa",
            assessed_on=date(2015, 12, 1),
            actor=users.province_admin,
        )
    assert "evidence" in str(caught.value)
    services.manual_assessment_record(
        unit=commune.villages[0],
        year=YEAR,
        set_code="nvv-example",
        criterion_code="cultural_village",
        met=True,
        evidence="Quyết định công nhận số 12/QĐ-UBND",
        assessor_name="Y Hoa",
        assessed_on=date(2015, 12, 1),
        actor=users.province_admin,
    )
    assert _outcome(commune.villages[0]).outcome == "meets"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"electricity_percent": 101}, "electricity_percent"),
        ({"road_to_centre": "boat"}, "road_to_centre"),
        ({"preschools": -1}, "preschools"),
        ({"cultural_house": "yes"}, "cultural_house"),
    ],
)
def test_infrastructure_out_of_range_is_refused_and_nothing_written(tree, values, field):
    with pytest.raises(InvalidInput) as caught:
        services.infrastructure_set(commune=tree.ngok_wang, year=YEAR, values=values, actor=None)
    assert caught.value.problems[0].location.field == field
    assert not CommuneInfrastructure.objects.exists()


def test_village_facts_out_of_range_are_refused(tree):
    with pytest.raises(InvalidInput):
        services.village_facts_set(
            village=tree.village_a, year=YEAR, values={"party_cell_rating": 7}, actor=None
        )
    with pytest.raises(InvalidInput):
        services.village_facts_set(village=tree.ngok_wang, year=YEAR, values={}, actor=None)
    assert not VillageFacts.objects.exists()


def test_a_version_with_results_is_never_edited(commune, users):
    version = _outcome(commune.villages[0]).set_version
    with pytest.raises(InvalidInput):
        services.criteria_set_version_update(
            version=version, definition=version.definition, actor=None
        )
    copy = services.criteria_set_version_copy(version=version, actor=users.province_admin)
    assert copy.version == 2 and copy.based_on == version and not copy.has_results()
    definition = {**copy.definition, "basically_meets": {"min_share_percent": 90}}
    services.criteria_set_version_update(version=copy, definition=definition, actor=None)
    # A changed file for a version that has results leaves the stored version alone.
    changed = criteria_set_from_dict({**version.definition, "note": "changed"})
    assert services.criteria_sets_sync(sets={"k": changed}) == {"k": "kept"}
    version.refresh_from_db()
    assert "note" not in version.definition or version.definition["note"] != "changed"
