"""The twinning facts criteria formulas read: each equals a direct count over the rows."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest
from django.db.models import Q

from ketnghia.census.models import CensusEntry, CensusRound, Status
from ketnghia.census.selectors import APPROVED_STATES
from ketnghia.core.errors import InvalidInput
from ketnghia.criteria import facts as fact_registry
from ketnghia.criteria.domain import Level, Outcome
from ketnghia.criteria.facts import UnitRef
from ketnghia.criteria.selectors import evaluate_units, unit_refs
from ketnghia.criteria.sets import criteria_set_from_dict
from ketnghia.twinning import services
from ketnghia.twinning.facts import TWINNING_FACTS
from ketnghia.twinning.models import Activity, ActivityKind, Assignment, AssignmentKind, WorkTeam
from ketnghia.twinning.tests.network import covered_network

pytestmark = pytest.mark.django_db

NAMES = [fact.name for fact in TWINNING_FACTS]
END = date(2015, 12, 31)


@pytest.fixture
def units(tree, users):
    """The covered network, plus a recorded 2015 activity at village A (and one in 2014)."""
    _program, net = covered_network(tree, users)
    team = WorkTeam.objects.get()
    services.activity_record(
        team=team,
        date=date(2015, 9, 1),
        kind=ActivityKind.MEETING,
        village=tree.village_a,
        actor=None,
    )
    return [tree.ngok_wang, tree.dak_mar, tree.village_a, net.village_a2, tree.village_b]


def _in_force(**filters) -> bool:
    rows = Assignment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=END), start_date__lte=END, **filters
    )
    return rows.exists()


def _expected(unit) -> dict[str, float | None]:
    """Count over the rows directly, unit by unit."""
    village = unit.level == Level.VILLAGE
    commune = unit.parent if village else unit
    activities = Activity.objects.filter(
        date__year=2015, **({"village": unit} if village else {"commune": unit})
    )
    round_ = (
        CensusRound.objects.filter(commune=commune, year__lte=2015, state__in=APPROVED_STATES)
        .order_by("year", "revision")
        .last()
    )
    entries = CensusEntry.objects.filter(round=round_, status__in=[Status.POOR, Status.NEAR_POOR])
    if village:
        entries = entries.filter(village_code=unit.code)
    poor = set(entries.values_list("household_id", flat=True))
    covered = {h for h in poor if _in_force(kind=AssignmentKind.MEMBER_HOUSEHOLD, household_id=h)}
    twinned = commune.twinnings.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=END), start_date__lte=END
    ).exists()
    expected: dict[str, float | None] = {
        "twinning_activities": activities.count(),
        "twinning_activities_confirmed": activities.filter(status="confirmed").count(),
        "poor_households_with_party_member_percent": (
            100 * len(covered) / len(poor) if poor else None
        ),
        "has_twinning_unit": float(twinned),
        "committee_member_in_charge": None,
        "district_office_in_charge": None,
    }
    if village:
        expected["committee_member_in_charge"] = float(
            _in_force(kind=AssignmentKind.COMMITTEE_VILLAGE, village=unit)
        )
        expected["district_office_in_charge"] = float(
            _in_force(kind=AssignmentKind.OFFICE_VILLAGE, village=unit)
        )
    return expected


def test_each_fact_equals_a_direct_count_over_the_rows(units):
    loaded = fact_registry.load_facts(units=unit_refs(units), year=2015, names=NAMES)
    for unit in units:
        got = {name: loaded[name].get(unit.pk) for name in NAMES}
        assert got == _expected(unit), unit.code
    # The figures themselves, so the direct count cannot drift with the provider.
    ngok, mar, village_a, village_a2, village_b = (u.pk for u in units)
    assert loaded["twinning_activities"][ngok] == 3
    assert loaded["twinning_activities_confirmed"][ngok] == 1
    assert loaded["twinning_activities"][village_a] == 1
    assert loaded["twinning_activities"][mar] == 0
    assert loaded["poor_households_with_party_member_percent"][village_a] == 50
    assert village_a2 not in loaded["poor_households_with_party_member_percent"]
    assert loaded["committee_member_in_charge"][village_a2] == 1
    assert loaded["district_office_in_charge"][village_a] == 1
    assert loaded["has_twinning_unit"][village_a] == 1
    assert loaded["has_twinning_unit"][village_b] == 0


def test_a_fixed_number_of_queries_whatever_the_number_of_units(units, django_assert_num_queries):
    provider = next(p for p in fact_registry.providers() if p.name == "twinning")
    one: list[UnitRef] = unit_refs(units[2:3])
    with django_assert_num_queries(7) as few:
        provider.load(units=one, year=2015)
    with django_assert_num_queries(len(few.captured_queries)):
        provider.load(units=unit_refs(units), year=2015)


SET = """
code = "network-test"
version = 1
level = "village"
first_year = 2007
last_year = 2030
name = { vi = "Bộ thử mạng lưới", en = "Network test set" }
legal_basis = { vi = "Thử nghiệm", en = "Test" }

[basically_meets]
min_share_percent = 100

[[groups]]
code = "network"
vi = "Mạng lưới"
en = "Network"

[[criteria]]
code = "visited"
group = "network"
vi = "Có hoạt động kết nghĩa trong năm"
en = "A twinning activity in the year"
formula = "FORMULA"
mandatory = true
missing = "never_skip"
"""


def test_a_set_naming_a_twinning_fact_loads_and_evaluates(tree, units):
    data = tomllib.loads(SET.replace("FORMULA", "twinning_activities >= 1"))
    criteria_set = criteria_set_from_dict(data, source="network.toml")
    villages = [u for u in units if u.level == Level.VILLAGE]
    evaluation, _table = evaluate_units(criteria_set=criteria_set, units=villages, year=2015)
    outcomes = dict(zip([v.code for v in villages], evaluation.outcomes.tolist(), strict=True))
    assert outcomes == {
        tree.village_a.code: Outcome.MEETS,
        units[3].code: Outcome.NOT_MET,
        tree.village_b.code: Outcome.NOT_MET,
    }


def test_a_misspelt_twinning_fact_is_refused_at_load():
    data = tomllib.loads(SET.replace("FORMULA", "twinning_activites >= 1"))
    with pytest.raises(InvalidInput) as caught:
        criteria_set_from_dict(data, source="network.toml")
    (message,) = [str(problem) for problem in caught.value.problems]
    assert "unknown fact “twinning_activites” at position 1" in message
    assert "visited" in message
