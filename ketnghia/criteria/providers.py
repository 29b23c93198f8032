"""The fact providers of this app: the census, the village facts entered, infrastructure.

Registered in `CriteriaConfig.ready`. Each reads the database in a fixed number of queries
for any number of units (one year at a time).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.db.models import Count, Q

from ketnghia.census.models import CensusEntry, Status
from ketnghia.census.selectors import official_round_ids
from ketnghia.criteria.domain import Level
from ketnghia.criteria.facts import Fact, UnitRef
from ketnghia.criteria.models import ROAD_SCORES, CommuneInfrastructure, Road, VillageFacts

BOTH = (Level.VILLAGE, Level.COMMUNE)
Values = dict[str, dict[int, float | None]]


class CensusFacts:
    """Counts and rates of the official (latest approved) census round of the year."""

    name = "census"
    facts = (
        Fact(
            "households",
            BOTH,
            "Số hộ trong đợt rà soát",
            "Households in the census round",
            "households",
            "census",
        ),
        Fact("poor_households", BOTH, "Số hộ nghèo", "Poor households", "households", "census"),
        Fact(
            "near_poor_households",
            BOTH,
            "Số hộ cận nghèo",
            "Near-poor households",
            "households",
            "census",
        ),
        Fact("poverty_rate", BOTH, "Tỷ lệ hộ nghèo", "Poor-household rate", "%", "census"),
        Fact(
            "near_poverty_rate",
            BOTH,
            "Tỷ lệ hộ cận nghèo",
            "Near-poor household rate",
            "%",
            "census",
        ),
    )

    def load(self, *, units: Sequence[UnitRef], year: int) -> Values:
        commune_ids = {u.commune_id for u in units}
        # The official round of each commune: its latest approved revision of the year.
        official = {
            commune_id: round_id
            for (commune_id, _year), round_id in official_round_ids(
                commune_ids=commune_ids, years=[year]
            ).items()
        }
        round_ids = list(official.values())
        by_round = {round_id: commune_id for commune_id, round_id in official.items()}
        rows = (
            CensusEntry.objects.filter(round_id__in=round_ids)
            .values("round_id", "village_code")
            .annotate(
                n=Count("id"),
                poor=Count("id", filter=Q(status=Status.POOR)),
                near=Count("id", filter=Q(status=Status.NEAR_POOR)),
            )
            .order_by()
        )
        per_village: dict[str, tuple[int, int, int]] = {}
        per_commune: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        for row in rows:
            per_village[row["village_code"]] = (row["n"], row["poor"], row["near"])
            totals = per_commune[by_round[row["round_id"]]]
            totals[0] += row["n"]
            totals[1] += row["poor"]
            totals[2] += row["near"]
        values: Values = {fact.name: {} for fact in self.facts}
        for unit in units:
            if unit.level == Level.VILLAGE:
                counts = per_village.get(unit.code)
            else:
                found = per_commune.get(unit.id)
                counts = tuple(found) if found else None  # type: ignore[assignment]
            if not counts or not counts[0]:
                continue
            n, poor, near = counts
            values["households"][unit.id] = n
            values["poor_households"][unit.id] = poor
            values["near_poor_households"][unit.id] = near
            values["poverty_rate"][unit.id] = 100 * poor / n
            values["near_poverty_rate"][unit.id] = 100 * near / n
        return values


VILLAGE_FACT_FIELDS: dict[str, tuple[str, str, str]] = {
    "party_cell_rating": ("Xếp loại chi bộ (1–4)", "Party cell rating (1–4)", "1–4"),
    "village_rules_adopted": ("Có hương ước, quy ước", "Village rules adopted", "0/1"),
    "mass_organisations_active": ("Các đoàn thể hoạt động", "Mass organisations active", "0/1"),
    "serious_crimes": ("Số vụ tội phạm nghiêm trọng", "Serious crimes", "cases"),
    "public_order_incidents": ("Số vụ mất trật tự", "Public-order incidents", "cases"),
    "drug_cases": ("Số người nghiện ma túy", "Drug addiction cases", "cases"),
    "illegal_migration_cases": ("Số trường hợp di cư tự do", "Illegal migration cases", "cases"),
    "households_short_of_food": ("Số hộ thiếu đói", "Households short of food", "households"),
    "households_hygienic_latrine": (
        "Số hộ có nhà tiêu hợp vệ sinh",
        "Households with a hygienic latrine",
        "households",
    ),
    "households_clean_water": ("Số hộ dùng nước sạch", "Households with clean water", "households"),
    "households_land_or_work": (
        "Số hộ có đất sản xuất hoặc việc làm ổn định",
        "Households with production land or stable work",
        "households",
    ),
}


class VillageFactsProvider:
    """The facts entered per village and year (`VillageFacts`); blank stays missing."""

    name = "village_facts"
    facts = tuple(
        Fact(name, (Level.VILLAGE,), vi, en, unit, "village_facts")
        for name, (vi, en, unit) in VILLAGE_FACT_FIELDS.items()
    )

    def load(self, *, units: Sequence[UnitRef], year: int) -> Values:
        ids = [u.id for u in units if u.level == Level.VILLAGE]
        values: Values = {name: {} for name in VILLAGE_FACT_FIELDS}
        for row in VillageFacts.objects.filter(village_id__in=ids, year=year).values(
            "village_id", *VILLAGE_FACT_FIELDS
        ):
            for name in VILLAGE_FACT_FIELDS:
                if row[name] is not None:
                    values[name][row["village_id"]] = float(row[name])
        return values


INFRASTRUCTURE_FACTS: dict[str, tuple[str, str, str]] = {
    "road_all_season": (
        "Đường ô tô đến trung tâm xã đi được quanh năm",
        "All-season car road to the commune centre",
        "0/1",
    ),
    "road_car_passable": (
        "Có đường ô tô đến trung tâm xã (kể cả chỉ mùa khô)",
        "Car road to the commune centre (dry season at least)",
        "0/1",
    ),
    "electricity_percent": ("Tỷ lệ hộ dùng điện lưới", "Households on the grid", "%"),
    "health_station_standard": (
        "Trạm y tế đạt chuẩn quốc gia",
        "Health station meets the national standard",
        "0/1",
    ),
    "preschools": ("Số trường mầm non", "Preschools", "schools"),
    "primary_schools": ("Số trường tiểu học", "Primary schools", "schools"),
    "lower_secondary_schools": ("Số trường trung học cơ sở", "Lower secondary schools", "schools"),
    "clean_water_percent": (
        "Tỷ lệ hộ dùng nước sạch (xã)",
        "Households with clean water (commune)",
        "%",
    ),
    "mobile_coverage_percent": ("Tỷ lệ thôn có sóng di động", "Villages with mobile coverage", "%"),
    "cultural_house": ("Có nhà văn hóa xã", "Commune cultural house", "0/1"),
}


class InfrastructureProvider:
    """A commune's infrastructure of the year; a village reads its commune's."""

    name = "infrastructure"
    facts = tuple(
        Fact(name, BOTH, vi, en, unit, "infrastructure")
        for name, (vi, en, unit) in INFRASTRUCTURE_FACTS.items()
    )

    def load(self, *, units: Sequence[UnitRef], year: int) -> Values:
        commune_ids = {u.commune_id for u in units}
        rows: Mapping[int, CommuneInfrastructure] = {
            row.commune_id: row
            for row in CommuneInfrastructure.objects.filter(commune_id__in=commune_ids, year=year)
        }
        values: Values = {name: {} for name in INFRASTRUCTURE_FACTS}
        for unit in units:
            row = rows.get(unit.commune_id)
            if row is None:
                continue
            for name, value in infrastructure_values(row).items():
                if value is not None:
                    values[name][unit.id] = value
        return values


def infrastructure_values(row: CommuneInfrastructure) -> dict[str, float | None]:
    """Return the facts one infrastructure row gives (None where it is blank)."""
    road = ROAD_SCORES.get(Road(row.road_to_centre)) if row.road_to_centre else None

    def number(value: object) -> float | None:
        return None if value is None else float(value)  # type: ignore[arg-type]

    return {
        "road_all_season": None if road is None else float(road == 2),
        "road_car_passable": None if road is None else float(road >= 1),
        "electricity_percent": number(row.electricity_percent),
        "health_station_standard": number(row.health_station_standard),
        "preschools": number(row.preschools),
        "primary_schools": number(row.primary_schools),
        "lower_secondary_schools": number(row.lower_secondary_schools),
        "clean_water_percent": number(row.clean_water_percent),
        "mobile_coverage_percent": number(row.mobile_coverage_percent),
        "cultural_house": number(row.cultural_house),
    }
