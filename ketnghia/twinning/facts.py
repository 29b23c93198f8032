"""The twinning network's facts for criteria formulas (`ketnghia.criteria.facts`).

Registered in `TwinningConfig.ready`. Read on the year's reference day (`coverage.reference_day`)
from the rows `coverage.network_rows` gathers, and computed with `rules.commune_measures`, so a
fact says what the coverage report says. A fixed number of queries for any number of units.
"""

from __future__ import annotations

from collections.abc import Sequence

from ketnghia.criteria.domain import Level
from ketnghia.criteria.facts import Fact, UnitRef
from ketnghia.twinning import coverage, rules

BOTH = (Level.VILLAGE, Level.COMMUNE)
VILLAGE = (Level.VILLAGE,)
Values = dict[str, dict[int, float | None]]

TWINNING_FACTS = (
    Fact(
        "twinning_activities",
        BOTH,
        "Số hoạt động kết nghĩa ghi nhận trong năm (tại thôn / trong xã)",
        "Twinning activities recorded in the year (in the village / in the commune)",
        "activities",
        "twinning",
    ),
    Fact(
        "twinning_activities_confirmed",
        BOTH,
        "Số hoạt động kết nghĩa được xã xác nhận trong năm",
        "Twinning activities confirmed by the commune in the year",
        "activities",
        "twinning",
    ),
    Fact(
        "committee_member_in_charge",
        VILLAGE,
        "Thôn có đồng chí cấp ủy xã phụ trách",
        "A commune Party committee member is in charge of the village",
        "0/1",
        "twinning",
    ),
    Fact(
        "district_office_in_charge",
        VILLAGE,
        "Thôn có phòng, ban huyện phụ trách",
        "A district office is in charge of the village",
        "0/1",
        "twinning",
    ),
    Fact(
        "poor_households_with_party_member_percent",
        BOTH,
        "Tỷ lệ hộ nghèo, cận nghèo có đảng viên phụ trách",
        "Share of poor and near-poor households with a Party member in charge",
        "%",
        "twinning",
    ),
    Fact(
        "has_twinning_unit",
        BOTH,
        "Xã có đơn vị kết nghĩa (thôn: xã của thôn)",
        "The commune has a twinning unit (a village: its commune)",
        "0/1",
        "twinning",
    ),
)


class TwinningFacts:
    """Activities, who is in charge and coverage, per village and commune, one year at a time.

    Activities of a village are those recorded at that village; of a commune, all of the
    commune's (its villages' included). The Party-member share is missing where the unit has
    no poor or near-poor household in the latest approved round of the year or before.
    """

    name = "twinning"
    facts = TWINNING_FACTS

    def load(self, *, units: Sequence[UnitRef], year: int) -> Values:
        values: Values = {fact.name: {} for fact in self.facts}
        if not units:
            return values
        on = coverage.reference_day(year)
        commune_ids = sorted({u.commune_id for u in units})
        rows = coverage.network_rows(commune_ids, year, on)
        for unit in units:
            commune_id = unit.commune_id
            poor = rows.poor[commune_id]
            if unit.level == Level.VILLAGE:
                village_ids = frozenset({unit.id})
                poor = {h for h in poor if rows.poor_village_codes.get(h) == unit.code}
                counts = rows.village_activity_counts[unit.id]
            else:
                village_ids = frozenset(rows.villages[commune_id])
                counts = rows.activity_counts[commune_id]
            measures = rules.commune_measures(
                rules.CommuneFacts(
                    twinned=bool(rows.twinned[commune_id]),
                    village_ids=village_ids,
                    office_village_ids=frozenset(rows.office[commune_id]),
                    committee_village_ids=frozenset(rows.committee[commune_id]),
                    poor_household_ids=frozenset(poor),
                    covered_household_ids=frozenset(rows.covered[commune_id]),
                    activities=sum(counts.values()),
                    confirmed_activities=counts.get("confirmed", 0),
                    member_loads=(),
                    cap=0,
                )
            )
            activities = measures["activities"]
            values["twinning_activities"][unit.id] = float(activities.denominator)
            values["twinning_activities_confirmed"][unit.id] = float(activities.numerator)
            values["has_twinning_unit"][unit.id] = float(measures["has_twinning_unit"].numerator)
            share = measures["poor_households_with_party_member"].share
            if share is not None:
                values["poor_households_with_party_member_percent"][unit.id] = 100 * share
            if unit.level == Level.VILLAGE:
                values["committee_member_in_charge"][unit.id] = float(
                    measures["villages_with_committee_member"].numerator
                )
                values["district_office_in_charge"][unit.id] = float(
                    measures["villages_with_district_office"].numerator
                )
        return values
