"""The benchmark's census file: the import's own format, deterministic, plausible."""

from __future__ import annotations

import csv
from collections import Counter

import numpy as np
import pytest
from python_calamine import CalamineWorkbook

from bench import generate
from ketnghia.census.importing import census_import
from ketnghia.census.importing.columns import census_columns
from ketnghia.census.models import CensusRound
from ketnghia.geo.models import Unit, UnitKind, UnitLevel
from ketnghia.imports.readers import open_table
from ketnghia.poverty.rules import classify_many


def _csv_rows(path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_the_same_seed_gives_the_same_bytes_and_a_smaller_file_is_a_prefix(tmp_path):
    small = generate.write_csv(tmp_path / "small.csv", 50)
    again = generate.write_csv(tmp_path / "again.csv", 50)
    large = generate.write_csv(tmp_path / "large.csv", 200)
    assert small.read_bytes() == again.read_bytes()
    assert _csv_rows(large)[:51] == _csv_rows(small)
    other = generate.write_csv(tmp_path / "other.csv", 50, seed=generate.SEED + 1)
    assert _csv_rows(other)[1:] != _csv_rows(small)[1:]


def test_the_header_is_the_import_templates_and_every_column_is_found(tmp_path):
    path = generate.write_csv(tmp_path / "census.csv", 10)
    columns = census_columns(generate.standard())
    table = open_table(path, columns)
    wanted = {column.key for column in columns} - {"commune_code"}
    assert set(table.layouts[0].positions) == wanted
    assert _csv_rows(path)[0][0] == "Mã hộ"


def test_the_workbook_holds_the_same_households_as_typed_cells(tmp_path):
    text = _csv_rows(generate.write_csv(tmp_path / "census.csv", 20))
    path = generate.write_xlsx(tmp_path / "census.xlsx", 20)
    workbook = CalamineWorkbook.from_path(str(path))
    cells = workbook.get_sheet_by_index(0).to_python()
    assert [str(value) for value in cells[0]] == text[0]
    row = cells[1]
    assert row[0] == text[1][0] and row[1] == text[1][1]
    assert isinstance(row[6], int | float) and int(row[6]) == int(text[1][6].replace(".", ""))
    assert len(cells) == 21


def test_values_are_plausible_and_every_status_occurs():
    rows = list(generate.households(3000))
    codes = [row[0] for row in rows]
    assert len(set(codes)) == len(codes)
    assert {row[2] for row in rows} <= set(generate.village_names())
    incomes = [row[6] for row in rows]
    assert min(incomes) >= 100_000 and max(incomes) < 50_000_000
    assert all(1 <= row[4] <= 9 for row in rows)
    standard = generate.standard()
    flags = np.array([row[7:] for row in rows], dtype=bool)
    areas = ["urban" if row[3] == "thành thị" else "rural" for row in rows]
    statuses = Counter(classify_many(standard, areas, incomes, flags).status.tolist())
    assert set(statuses) == {"poor", "near_poor", "average", "not_poor"}
    # A highland commune: a poverty rate of some tens of per cent, not 0 or 100.
    assert 0.1 < statuses["poor"] / len(rows) < 0.45


@pytest.mark.django_db
def test_a_generated_file_passes_the_census_import_without_a_problem(tmp_path):
    province = Unit(code="62", name="Tỉnh Kon Tum", level=UnitLevel.PROVINCE, kind=UnitKind.TINH)
    province.save()
    district = Unit(code="615", name="Huyện Đắk Hà", level=UnitLevel.DISTRICT, kind=UnitKind.HUYEN)
    district.parent = province
    district.save()
    commune = Unit(
        code=generate.COMMUNE_CODE,
        name="Xã Ngọk Wang",
        level=UnitLevel.COMMUNE,
        kind=UnitKind.XA,
        parent=district,
    )
    commune.save()
    for code, name in zip(generate.village_codes(), generate.village_names(), strict=True):
        Unit(
            code=code, name=name, level=UnitLevel.VILLAGE, kind=UnitKind.THON, parent=commune
        ).save()
    census_round = CensusRound(
        commune=commune, year=generate.YEAR, standard_code=generate.STANDARD_CODE
    )
    for path in (
        generate.write_csv(tmp_path / "census.csv", 300),
        generate.write_xlsx(tmp_path / "census.xlsx", 300),
    ):
        report = census_import(census_round=census_round, path=path, dry_run=True)
        assert (report.rows, report.created) == (300, 300)
