"""A synthetic national data set on PostgreSQL, scalable by a factor, loaded with COPY.

At factor 1: 63 provinces, ~700 districts, 10,000 communes, ~100,000 villages and 27
million households, each with one approved census round (2024, standard vn-2022) and its
entries. The factor scales the number of provinces (at least one) and communes; a province
keeps its full size (~160 communes, ~430,000 households), so a province's dashboard reads
what a real province's would at any factor.

Everything a figure needs is written into the real tables: units with their paths and codes,
the commune regions (classification), one program listing every commune (a third of them
key communes), households (heads as members, for the ethnicity disaggregation), rounds,
entries, their stored round summaries, commune infrastructure and criteria assessments of
villages and communes. Statuses come from the project's own `classify_many` on drawn
incomes and deprivations, so they are what an import would compute; rates vary by commune
around those of especially difficult communes (about a fifth poor).

Ids are given in the rows (the tables start empty) and the sequences moved past them after,
so no COPY ever waits for a query. No history rows are written (generated data, as the
demo's). PostgreSQL only: `generate(scale)` in a process whose Django database is a
scratch database created for the bench.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

FULL_COMMUNES = 10_000
FULL_PROVINCES = 63
DISTRICTS_PER_PROVINCE = 11  # ~700 nationally
VILLAGES_PER_COMMUNE = 10  # ~100,000 nationally
HOUSEHOLDS_PER_COMMUNE = 2_700  # 27 million nationally
YEAR = 2024
STANDARD_CODE = "vn-2022"
PROGRAM_CODE = "bench-national"
KEY_SHARE = 0.3
COVERED_SHARE = 0.8  # poor and near-poor households with a Party member in charge
HOUSEHOLDS_PER_MEMBER = 4
CRITERIA_SET = "nvv-example"
SEED = 2007
_CHUNK = 250_000

# Incomes: each commune's median drawn around 2,000,000 VND a month; households lognormal
# around it. Within the 2022 rural poor line (1,500,000) a household is poor when deprived on
# at least 3 of the 12 indicators, near-poor otherwise.
INCOME_MEDIAN = 2_000_000
COMMUNE_SIGMA = 0.3
HOUSEHOLD_SIGMA = 0.55
DEPRIVED_WITHIN_LINE = 0.3
DEPRIVED_ABOVE_LINE = 0.08

_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Đinh", "A", "Y", "Rơ Châm", "Hồ", "Võ")
_GIVEN = (
    "Thút", "Bia", "Blông", "Hyang", "Đơn", "Xuân", "Lan", "Hùng", "Pao", "Nhó",
    "Thị Mai", "Văn Tâm", "Wơk", "Krong", "H'Rin", "Sút", "Dốp", "Thị Hoa", "Văn Minh", "Ríu",
)  # fmt: skip
_MINORITIES = ("10", "13", "14", "08", "09", "02", "03")  # Gia-rai, Ba-na, Xơ-đăng, Hmông…
APPROVED_STATES = ("commune_approved", "district_accepted", "province_accepted")


@dataclass(frozen=True)
class Shape:
    """How many units and households a factor gives (planned, before drawing)."""

    scale: float
    provinces: int
    districts: int
    communes: int

    @classmethod
    def of(cls, scale: float) -> Shape:
        communes = max(1, round(FULL_COMMUNES * scale))
        provinces = max(1, min(FULL_PROVINCES, round(FULL_PROVINCES * scale)))
        districts = max(provinces, min(communes, provinces * DISTRICTS_PER_PROVINCE))
        return cls(scale, provinces, districts, communes)


@dataclass
class Generated:
    """What `generate` wrote, and how long each part took."""

    provinces: int = 0
    districts: int = 0
    communes: int = 0
    villages: int = 0
    households: int = 0
    entries: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "provinces": self.provinces,
            "districts": self.districts,
            "communes": self.communes,
            "villages": self.villages,
            "households": self.households,
            "entries": self.entries,
            "seconds": self.seconds,
        }


# --- COPY ----------------------------------------------------------------------------------


def _table(model: Any) -> str:
    from django.db import connection

    return connection.ops.quote_name(model._meta.db_table)


def _columns(model: Any, fields: Sequence[str]) -> str:
    from django.db import connection

    by_name = {f.name: f for f in model._meta.concrete_fields} | {
        f.attname: f for f in model._meta.concrete_fields
    }
    return ", ".join(connection.ops.quote_name(by_name[name].column) for name in fields)


def _copy(model: Any, fields: Sequence[str], blocks: Iterator[str]) -> None:
    """COPY text blocks (tab-separated lines, `\\N` for NULL) into `model`'s table.

    The blocks are built from generated values only (no tab, newline or backslash in them).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        sql = f"COPY {_table(model)} ({_columns(model, fields)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for block in blocks:
                copy.write(block)


def _lines(rows: Iterator[Sequence[object]]) -> Iterator[str]:
    """Return COPY text blocks of about _CHUNK // 10 rows from tuples (None → NULL)."""
    batch: list[str] = []
    for row in rows:
        batch.append("\t".join("\\N" if v is None else str(v) for v in row))
        if len(batch) >= _CHUNK // 10:
            yield "\n".join(batch) + "\n"
            batch = []
    if batch:
        yield "\n".join(batch) + "\n"


@contextmanager
def _indexes_after(models: Sequence[Any]) -> Iterator[dict[str, float]]:
    """Drop the tables' secondary indexes, unique and foreign-key constraints; put them back.

    As pg_restore does: rows go in without per-row index upkeep and foreign-key checks, and
    each index and constraint is then built (and checked) in one pass over the table. The
    definitions are read from the catalogue and restored verbatim, so the schema afterwards
    is the migrated one.
    """
    from django.db import connection

    constraints: list[tuple[str, str, str]] = []
    indexes: list[str] = []
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC",
                [table],
            )
            found = cursor.fetchall()
            constraints += [(table, name, definition) for name, definition in found]
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [table],
            )
            for name, definition in cursor.fetchall():
                indexes.append(definition)
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            for name, _definition in found:
                cursor.execute(
                    f"ALTER TABLE {connection.ops.quote_name(table)} "
                    f"DROP CONSTRAINT {connection.ops.quote_name(name)}"
                )
    timing = {"indexes": 0.0}
    yield timing
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for definition in indexes:
            cursor.execute(definition)
        # Unique constraints first (foreign keys may need them), as they were listed.
        for table, name, definition in sorted(constraints, key=lambda c: "FOREIGN" in c[2]):
            cursor.execute(
                f"ALTER TABLE {connection.ops.quote_name(table)} "
                f"ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )
    timing["indexes"] = time.perf_counter() - began


def _reset_sequences(models: Sequence[Any]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            table = _table(model)
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)",
                [model._meta.db_table],
            )


# --- The plan (numpy, no database) ---------------------------------------------------------


@dataclass
class Plan:
    """The drawn units and households, as arrays (index = position, id = position + 1)."""

    shape: Shape
    district_province: np.ndarray  # district → province index
    commune_district: np.ndarray  # commune → district index
    commune_villages: np.ndarray  # commune → number of villages
    commune_households: np.ndarray  # commune → number of households
    commune_median: np.ndarray  # commune → median income
    commune_region: np.ndarray  # commune → 1, 2 or 3
    commune_key: np.ndarray  # commune → key commune of the program
    commune_minority: np.ndarray  # commune → share of minority heads
    village_commune: np.ndarray  # village → commune index
    village_first: np.ndarray  # commune → index of its first village
    household_first: np.ndarray  # commune → index of its first household

    @property
    def villages(self) -> int:
        return int(self.commune_villages.sum())

    @property
    def households(self) -> int:
        return int(self.commune_households.sum())


def _spread(total: int, parts: int, rng: np.random.Generator) -> np.ndarray:
    """Return `parts` positive counts summing to `total`, unevenly (±50 % around the mean)."""
    weights = rng.uniform(0.5, 1.5, parts)
    counts = np.maximum(1, np.floor(weights / weights.sum() * total)).astype(np.int64)
    counts[: total - counts.sum()] += 1 if total > counts.sum() else 0
    return counts


def plan(scale: float, seed: int = SEED) -> Plan:
    """Draw the units and every commune's size and character for `scale`."""
    shape = Shape.of(scale)
    rng = np.random.default_rng(seed)
    district_province = np.sort(np.arange(shape.districts) % shape.provinces)
    per_district = _spread(shape.communes, shape.districts, rng)
    commune_district = np.repeat(np.arange(shape.districts), per_district)
    villages = rng.integers(
        VILLAGES_PER_COMMUNE // 2, VILLAGES_PER_COMMUNE * 3 // 2 + 1, shape.communes
    )
    households = rng.integers(
        HOUSEHOLDS_PER_COMMUNE // 2, HOUSEHOLDS_PER_COMMUNE * 3 // 2 + 1, shape.communes
    )
    median = INCOME_MEDIAN * np.exp(rng.normal(0, COMMUNE_SIGMA, shape.communes))
    # Poorer communes are likelier region III and likelier key communes.
    rank = np.argsort(np.argsort(median)) / max(1, shape.communes - 1)
    region = np.where(rank < 0.45, 3, np.where(rank < 0.8, 2, 1))
    key = rng.random(shape.communes) < KEY_SHARE * 2 * (1 - rank)
    minority = np.clip(1.1 - rank + rng.normal(0, 0.1, shape.communes), 0.05, 1.0)
    return Plan(
        shape=shape,
        district_province=district_province,
        commune_district=commune_district,
        commune_villages=villages,
        commune_households=households,
        commune_median=median,
        commune_region=region,
        commune_key=key,
        commune_minority=minority,
        village_commune=np.repeat(np.arange(shape.communes), villages),
        village_first=np.concatenate([[0], np.cumsum(villages)[:-1]]),
        household_first=np.concatenate([[0], np.cumsum(households)[:-1]]),
    )


def province_code(index: int) -> str:
    return f"{index + 1:02d}"


def district_code(index: int) -> str:
    return f"{index + 1:03d}"


def commune_code(index: int) -> str:
    return f"{index + 1:05d}"


def village_code(commune_index: int, number: int) -> str:
    from ketnghia.geo.rules import village_code as code

    return code(commune_code(commune_index), number)


def household_code(number: int) -> str:
    return f"H{number:05d}"


# --- Writing -------------------------------------------------------------------------------


@dataclass
class _Ids:
    """Unit ids by level: provinces first, then districts, communes, villages."""

    provinces: int
    districts: int
    communes: int

    def province(self, index: int) -> int:
        return index + 1

    def district(self, index: int) -> int:
        return self.provinces + index + 1

    def commune(self, index: int) -> int:
        return self.provinces + self.districts + index + 1

    def village(self, index: int) -> int:
        return self.provinces + self.districts + self.communes + index + 1


def _write_units(p: Plan, ids: _Ids) -> tuple[list[str], list[str], list[str]]:
    """COPY the units; return the villages' paths and codes and the communes' paths."""
    from ketnghia.core.text import fold
    from ketnghia.geo.models import Unit

    fields = ("id", "code", "name", "level", "kind", "is_urban", "parent", "path", "search_name")
    province_paths = [f"/{province_code(i)}/" for i in range(p.shape.provinces)]
    district_paths = [
        f"{province_paths[prov]}{district_code(i)}/" for i, prov in enumerate(p.district_province)
    ]
    commune_paths = [
        f"{district_paths[d]}{commune_code(i)}/" for i, d in enumerate(p.commune_district)
    ]
    village_paths: list[str] = []
    village_codes: list[str] = []
    for commune, count in enumerate(p.commune_villages.tolist()):
        for number in range(1, count + 1):
            code = village_code(commune, number)
            village_codes.append(code)
            village_paths.append(f"{commune_paths[commune]}{code}/")

    def rows() -> Iterator[tuple[object, ...]]:
        for i, path in enumerate(province_paths):
            name = f"Tỉnh {i + 1:02d}"
            yield (
                ids.province(i),
                province_code(i),
                name,
                "province",
                "tinh",
                "f",
                None,
                path,
                fold(name),
            )
        for i, path in enumerate(district_paths):
            name = f"Huyện {i + 1:03d}"
            parent = ids.province(int(p.district_province[i]))
            yield (
                ids.district(i),
                district_code(i),
                name,
                "district",
                "huyen",
                "f",
                parent,
                path,
                fold(name),
            )
        for i, path in enumerate(commune_paths):
            name = f"Xã {i + 1:05d}"
            parent = ids.district(int(p.commune_district[i]))
            yield (
                ids.commune(i),
                commune_code(i),
                name,
                "commune",
                "xa",
                "f",
                parent,
                path,
                fold(name),
            )
        for i, path in enumerate(village_paths):
            number = i - int(p.village_first[p.village_commune[i]]) + 1
            name = f"Thôn {number}"
            parent = ids.commune(int(p.village_commune[i]))
            yield (
                ids.village(i),
                village_codes[i],
                name,
                "village",
                "thon",
                "f",
                parent,
                path,
                fold(name),
            )

    _copy(Unit, fields, _lines(rows()))
    return village_paths, village_codes, commune_paths


def _write_program(p: Plan, ids: _Ids, commune_paths: list[str]) -> int:
    """Create the program, list every commune on it, and store the communes' regions."""
    from ketnghia.geo.models import UnitClassification
    from ketnghia.programs.models import Program, ProgramCommune

    program = Program.objects.create(
        code=PROGRAM_CODE,
        name="Chương trình toàn quốc (bench)",
        legal_document="—",
        start_date=dt.date(2021, 1, 1),
    )
    _copy(
        ProgramCommune,
        ("program", "commune", "is_key", "valid_from", "decision"),
        _lines(
            (program.pk, ids.commune(i), "t" if key else "f", "2021-01-01", "")
            for i, key in enumerate(p.commune_key.tolist())
        ),
    )
    roman = {1: "I", 2: "II", 3: "III"}
    _copy(
        UnitClassification,
        ("unit", "scheme", "value", "start_year", "end_year", "legal_basis"),
        _lines(
            (ids.commune(i), "commune_region", roman[r], 2021, 2025, "")
            for i, r in enumerate(p.commune_region.tolist())
        ),
    )
    return program.pk


def _draw_households(p: Plan, start: int, stop: int, rng: np.random.Generator) -> dict[str, Any]:
    """Draw households [start, stop) (whole communes) and classify them under the standard."""
    from ketnghia.poverty.rules import classify_many, deprivation_matrix_from_bits
    from ketnghia.poverty.standards import get_standard

    standard = get_standard(STANDARD_CODE)
    indicators = len(standard.indicator_codes)
    commune = np.repeat(np.arange(p.shape.communes), p.commune_households)[start:stop]
    n = stop - start
    income = np.round(
        p.commune_median[commune] * np.exp(rng.normal(0, HOUSEHOLD_SIGMA, n)), -3
    ).astype(np.int64)
    within = income <= 1_500_000
    chance = np.where(within, DEPRIVED_WITHIN_LINE, DEPRIVED_ABOVE_LINE)
    matrix = rng.random((n, indicators)) < chance[:, None]
    bits = (matrix.astype(np.int64) << np.arange(indicators, dtype=np.int64)).sum(axis=1)
    assert (deprivation_matrix_from_bits(bits[:10], indicators) == matrix[:10]).all()
    result = classify_many(standard, np.full(n, "rural", dtype=object), income, matrix)
    number = np.arange(start, stop) - p.household_first[commune] + 1
    # Village: households spread over the commune's villages.
    village = p.village_first[commune] + (number - 1) % p.commune_villages[commune]
    return {
        "commune": commune,
        "number": number,
        "village": village,
        "income": income,
        "bits": bits,
        "count": np.asarray(result.deprivation_count, dtype=np.int64),
        "status": np.asarray(result.status, dtype=object),
        "rule": np.asarray(result.rule, dtype=object),
        "members": rng.integers(1, 10, n),
        "name": rng.integers(0, len(_FAMILY) * len(_GIVEN), n),
        "minority": rng.random(n) < p.commune_minority[commune],
        "ethnic": rng.integers(0, len(_MINORITIES), n),
        "sex": rng.random(n) < 0.7,
        "birth": rng.integers(1945, 2000, n),
    }


def _write_households_and_entries(
    p: Plan, ids: _Ids, village_paths: list[str], village_codes: list[str], report: Generated
) -> dict[int, dict[str, int]]:
    """COPY households, their heads, and entries, commune block by commune block.

    Return the counts by status per commune index (for the round summaries).
    """
    from ketnghia.census.models import CensusEntry
    from ketnghia.core.text import fold
    from ketnghia.households.models import Household, Member

    names = [f"{family} {given}" for family in _FAMILY for given in _GIVEN]
    folded = [fold(name) for name in names]
    rng = np.random.default_rng(SEED + 1)
    counts = np.zeros((p.shape.communes, 4), dtype=np.int64)
    status_index = {"poor": 0, "near_poor": 1, "average": 2, "not_poor": 3}
    household_fields = (
        "id", "commune", "village", "code", "head_name", "address", "area",
        "area_overridden", "unit_path", "registered_year",
    )  # fmt: skip
    member_fields = (
        "household",
        "full_name",
        "sex",
        "birth_year",
        "ethnicity",
        "relation",
        "personal_id",
    )
    entry_fields = (
        "id", "round", "household", "household_code", "head_name", "village_code", "area",
        "member_count", "monthly_income_per_person", "surveyed_on", "deprivations",
        "deprivation_count", "computed_status", "rule", "status", "override_reason",
        "search_folded", "head_ethnicity",
    )  # fmt: skip
    bounds = np.concatenate([p.household_first, [p.households]])
    start = 0
    persons = 0
    timings = {"households": 0.0, "members": 0.0, "entries": 0.0, "draw": 0.0}
    while start < p.households:
        # Whole communes, about _CHUNK households.
        stop_commune = int(np.searchsorted(bounds, start + _CHUNK, side="right"))
        stop = int(bounds[min(max(stop_commune, 1), len(bounds) - 1)])
        if stop <= start:
            stop = p.households
        began = time.perf_counter()
        d = _draw_households(p, start, stop, rng)
        for status, index in status_index.items():
            np.add.at(counts[:, index], d["commune"][d["status"] == status], 1)
        hid = (np.arange(start, stop) + 1).tolist()
        commune_ids = [ids.commune(c) for c in d["commune"].tolist()]
        village = d["village"].tolist()
        codes = [household_code(n) for n in d["number"].tolist()]
        name = d["name"].tolist()
        timings["draw"] += time.perf_counter() - began

        began = time.perf_counter()
        _copy(
            Household,
            household_fields,
            _blocks(
                f"{h}\t{c}\t{ids.village(v)}\t{code}\t{names[k]}\t\trural\tf\t{village_paths[v]}\t2021\n"
                for h, c, v, code, k in zip(hid, commune_ids, village, codes, name, strict=True)
            ),
        )
        timings["households"] += time.perf_counter() - began
        began = time.perf_counter()
        sex = ["male" if s else "female" for s in d["sex"].tolist()]
        ethnic = [
            _MINORITIES[e] if m else "01"
            for m, e in zip(d["minority"].tolist(), d["ethnic"].tolist(), strict=True)
        ]
        _copy(
            Member,
            member_fields,
            _blocks(
                f"{h}\t{names[k]}\t{s}\t{b}\t{e}\thead\t\n"
                for h, k, s, b, e in zip(hid, name, sex, d["birth"].tolist(), ethnic, strict=True)
            ),
        )
        timings["members"] += time.perf_counter() - began
        began = time.perf_counter()
        round_ids = [c + 1 for c in d["commune"].tolist()]
        _copy(
            CensusEntry,
            entry_fields,
            _blocks(
                f"{h}\t{r}\t{h}\t{code}\t{names[k]}\t{village_codes[v]}\trural\t{m}\t{inc}\t"
                f"2024-08-15\t{bits}\t{cnt}\t{st}\t{rule}\t{st}\t\t{code.lower()} {folded[k]}"
                f"\t{eth}\n"
                for h, r, code, k, v, m, inc, bits, cnt, st, rule, eth in zip(
                    hid,
                    round_ids,
                    codes,
                    name,
                    village,
                    d["members"].tolist(),
                    d["income"].tolist(),
                    d["bits"].tolist(),
                    d["count"].tolist(),
                    d["status"].tolist(),
                    d["rule"].tolist(),
                    ethnic,  # the head's, kept on the entry (CensusEntry.head_ethnicity)
                    strict=True,
                )
            ),
        )
        timings["entries"] += time.perf_counter() - began
        began = time.perf_counter()
        persons = _write_members_in_charge(p, ids, d, hid, village_paths, names, persons)
        timings["party_members"] = timings.get("party_members", 0.0) + time.perf_counter() - began
        report.households += stop - start
        start = stop
    for key, seconds in timings.items():
        report.seconds[key] = seconds
    return counts


def _write_members_in_charge(
    p: Plan,
    ids: _Ids,
    d: dict[str, Any],
    hid: list[int],
    village_paths: list[str],
    names: list[str],
    persons: int,
) -> int:
    """COPY the Party members in charge of most poor and near-poor households of a block.

    About COVERED_SHARE of those households get an assignment in force, each member answering
    for up to HOUSEHOLDS_PER_MEMBER households of one commune. Return the persons so far.
    """
    from ketnghia.twinning.models import Assignment, Person

    rng = np.random.default_rng(SEED + 4 + persons)
    needy = np.isin(d["status"], ("poor", "near_poor")) & (rng.random(len(hid)) < COVERED_SHARE)
    rows = np.flatnonzero(needy)
    commune = d["commune"][rows]
    # Within each commune, the k-th covered household goes to member k // HOUSEHOLDS_PER_MEMBER.
    first = np.searchsorted(commune, commune, side="left")
    rank = np.arange(len(rows)) - first
    new_member = rank % HOUSEHOLDS_PER_MEMBER == 0
    person_id = persons + np.cumsum(new_member)
    villages = d["village"][rows]
    starts = np.flatnonzero(new_member)
    _copy(
        Person,
        (
            "id",
            "full_name",
            "sex",
            "birth_year",
            "ethnicity",
            "phone",
            "role",
            "commune",
            "village",
            "active_from",
            "unit_path",
        ),
        _blocks(
            f"{pid}\t{names[(pid * 7) % len(names)]}\tmale\t1980\t01\t\tparty_member\t"
            f"{ids.commune(c)}\t{ids.village(v)}\t2020-01-01\t{village_paths[v]}\n"
            for pid, c, v in zip(
                person_id[starts].tolist(),
                commune[starts].tolist(),
                villages[starts].tolist(),
                strict=True,
            )
        ),
    )
    _copy(
        Assignment,
        ("kind", "person", "commune", "household", "start_date", "decision_number", "unit_path"),
        _blocks(
            f"member_household\t{pid}\t{ids.commune(c)}\t{hid[r]}\t2022-01-01\t\t"
            f"{village_paths[v]}\n"
            for pid, c, r, v in zip(
                person_id.tolist(), commune.tolist(), rows.tolist(), villages.tolist(), strict=True
            )
        ),
    )
    return int(person_id[-1]) if len(person_id) else persons


def _write_activities(p: Plan, ids: _Ids, commune_paths: list[str]) -> None:
    """COPY one twinning unit per province, one work team per commune, its confirmed visits."""
    from ketnghia.twinning.models import Activity, Organisation, WorkTeam

    _copy(
        Organisation,
        ("id", "name", "short_name", "kind", "province"),
        _lines(
            (
                i + 1,
                f"Sở kết nghĩa {province_code(i)} (bench)",
                "",
                "provincial_agency",
                ids.province(i),
            )
            for i in range(p.shape.provinces)
        ),
    )
    province_of = p.district_province[p.commune_district]
    _copy(
        WorkTeam,
        ("id", "name", "organisation", "commune", "start_date", "unit_path"),
        _lines(
            (
                i + 1,
                f"Tổ công tác {commune_code(i)}",
                int(province_of[i]) + 1,
                ids.commune(i),
                "2022-01-01",
                path,
            )
            for i, path in enumerate(commune_paths)
        ),
    )
    _copy(
        Activity,
        (
            "team",
            "date",
            "commune",
            "kind",
            "reached_male",
            "reached_female",
            "reached_minority",
            "resources_vnd",
            "resources_in_kind",
            "notes",
            "status",
            "confirmed_at",
            "unit_path",
            "source",
        ),
        _lines(
            (
                i + 1,
                f"{YEAR}-{month:02d}-15",
                ids.commune(i),
                "visit",
                10,
                12,
                15,
                0,
                "",
                "",
                "confirmed",
                f"{YEAR}-{month:02d}-20 08:00:00+00",
                path,
                "",
            )
            for i, path in enumerate(commune_paths)
            for month in range(2, 13, 2)
        ),
    )


def _blocks(lines: Iterator[str], size: int = 20_000) -> Iterator[str]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _write_rounds(p: Plan, ids: _Ids, commune_paths: list[str], counts: np.ndarray) -> None:
    """COPY one approved round per commune (round id = commune index + 1) and its summary."""
    from ketnghia.census.models import CensusRound, RoundSummary

    fields = (
        "id", "commune", "year", "revision", "standard_code", "state", "unit_path",
        "meeting_date", "meeting_participants", "meeting_agreeing", "posting_start",
        "posting_end", "commune_approved_at", "district_accepted_at", "province_accepted_at",
        "state_changed_at", "return_reason",
    )  # fmt: skip
    rng = np.random.default_rng(SEED + 2)
    states = rng.choice(len(APPROVED_STATES), p.shape.communes, p=(0.2, 0.3, 0.5)).tolist()

    def rows() -> Iterator[tuple[object, ...]]:
        for i, path in enumerate(commune_paths):
            state = APPROVED_STATES[states[i]]
            district = "2024-10-20 08:00:00+00" if states[i] >= 1 else None
            province = "2024-11-05 08:00:00+00" if states[i] >= 2 else None
            changed = province or district or "2024-10-01 08:00:00+00"
            yield (
                i + 1, ids.commune(i), YEAR, 1, STANDARD_CODE, state, path,
                "2024-09-10", 120, 101, "2024-09-12", "2024-09-20",
                "2024-10-01 08:00:00+00", district, province, changed, "",
            )  # fmt: skip

    _copy(CensusRound, fields, _lines(rows()))
    _copy(
        RoundSummary,
        (
            "round",
            "households",
            "poor",
            "near_poor",
            "average",
            "not_poor",
            "remained_poor",
            "exited_poverty",
            "newly_poor",
            "fell_back",
            "remained_not_poor",
            "new_household",
            "households_left",
        ),
        _lines(
            (i + 1, int(row.sum()), *(int(v) for v in row), 0, 0, 0, 0, 0, 0, 0)
            for i, row in enumerate(counts)
        ),
    )


def _write_criteria(p: Plan, ids: _Ids, commune_paths: list[str], village_paths: list[str]) -> None:
    """COPY the communes' infrastructure and the villages' and communes' assessments."""
    from ketnghia.criteria.models import Assessment, CommuneInfrastructure, CriteriaSetVersion
    from ketnghia.criteria.services import criteria_sets_sync

    criteria_sets_sync()
    versions = {
        level: pk
        for level, pk in CriteriaSetVersion.objects.filter(code=CRITERIA_SET).values_list(
            "level", "pk"
        )
    }
    rng = np.random.default_rng(SEED + 3)
    roads = rng.choice(3, p.shape.communes, p=(0.93, 0.05, 0.02)).tolist()
    road_names = ("all_season", "dry_season", "none")
    _copy(
        CommuneInfrastructure,
        (
            "commune",
            "year",
            "unit_path",
            "road_to_centre",
            "electricity_percent",
            "health_station_standard",
            "preschools",
            "primary_schools",
            "lower_secondary_schools",
            "clean_water_percent",
            "mobile_coverage_percent",
            "cultural_house",
        ),
        _lines(
            (
                ids.commune(i),
                YEAR,
                path,
                road_names[roads[i]],
                "97.5",
                "t",
                2,
                2,
                1,
                "88.0",
                "95.0",
                "t",
            )
            for i, path in enumerate(commune_paths)
        ),
    )
    fields = ("unit", "year", "set_version", "unit_path", "outcome", "met_count", "counted",
              "failing", "details", "inputs", "computed_at")  # fmt: skip
    now = "2024-12-01 08:00:00+00"
    village_outcome = rng.choice(3, len(village_paths), p=(0.05, 0.25, 0.70)).tolist()
    commune_outcome = rng.choice(3, p.shape.communes, p=(0.05, 0.37, 0.58)).tolist()
    outcomes = ("meets", "basically_meets", "not_met")
    failing = json.dumps(["c01"])
    rows: list[tuple[object, ...]] = []
    if "village" in versions:
        rows += [
            (
                ids.village(i),
                YEAR,
                versions["village"],
                path,
                outcomes[o],
                10 - 2 * o,
                10,
                failing if o else "[]",
                "{}",
                "{}",
                now,
            )
            for i, (path, o) in enumerate(zip(village_paths, village_outcome, strict=True))
        ]
    if "commune" in versions:
        rows += [
            (
                ids.commune(i),
                YEAR,
                versions["commune"],
                path,
                outcomes[o],
                8 - 2 * o,
                8,
                failing if o else "[]",
                "{}",
                "{}",
                now,
            )
            for i, (path, o) in enumerate(zip(commune_paths, commune_outcome, strict=True))
        ]
    _copy(Assessment, fields, _lines(iter(rows)))


def generated_in_database(scale: float) -> Generated:
    """Describe a data set `generate(scale)` wrote earlier and a kept database still holds."""
    from ketnghia.households.models import Household

    p = plan(scale)
    report = Generated(seconds={"total": 0.0, "reused": 1.0})
    report.provinces, report.districts = p.shape.provinces, p.shape.districts
    report.communes, report.villages = p.shape.communes, p.villages
    report.households = report.entries = Household.objects.count()
    if report.households != p.households:
        raise SystemExit(
            f"bench: the kept database holds {report.households:,} households, "
            f"not the {p.households:,} of ×{scale}"
        )
    return report


def generate(scale: float, *, analyze: bool = True) -> Generated:
    """Write the national data set for `scale` into the (empty, migrated) database."""
    from django.db import connection, transaction

    from ketnghia.census.models import CensusEntry, CensusRound
    from ketnghia.geo.models import Unit
    from ketnghia.households.models import Household, Member
    from ketnghia.twinning.models import Assignment, Organisation, Person, WorkTeam

    report = Generated()
    started = time.perf_counter()
    p = plan(scale)
    ids = _Ids(p.shape.provinces, p.shape.districts, p.shape.communes)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Session settings for the load only (the server's own stay as they are).
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL synchronous_commit = off")
        # Dropped before the first row (a table with pending checks cannot be altered).
        with _indexes_after([Household, Member, CensusEntry, Person, Assignment]) as timing:
            began = time.perf_counter()
            village_paths, village_codes, commune_paths = _write_units(p, ids)
            _write_program(p, ids, commune_paths)
            report.seconds["units"] = time.perf_counter() - began
            counts = _write_households_and_entries(p, ids, village_paths, village_codes, report)
            began = time.perf_counter()
            _write_rounds(p, ids, commune_paths, counts)
            _write_criteria(p, ids, commune_paths, village_paths)
            _write_activities(p, ids, commune_paths)
            report.seconds["rounds_criteria"] = time.perf_counter() - began
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        report.seconds["indexes"] = timing["indexes"]
        _reset_sequences(
            [Unit, Household, Member, CensusRound, CensusEntry, Person, Organisation, WorkTeam]
        )
    report.provinces, report.districts = p.shape.provinces, p.shape.districts
    report.communes, report.villages = p.shape.communes, p.villages
    report.entries = report.households
    if analyze:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        report.seconds["analyze"] = time.perf_counter() - began
    report.seconds["total"] = time.perf_counter() - started
    return report
