"""Classifying a CSV file: tolerant of how officers write, strict about meaning, all or nothing."""

from __future__ import annotations

import csv
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from ketnghia.core.errors import InvalidInput
from ketnghia.poverty import batch
from ketnghia.poverty.batch import classify_csv, parse_amount
from ketnghia.poverty.standards import get_standard

VN_2022 = get_standard("vn-2022")


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1500000", Decimal(1_500_000)),
        ("1.500.000", Decimal(1_500_000)),
        ("700.000", Decimal(700_000)),
        ("1 500 000", Decimal(1_500_000)),
        ("1\u00a0500\u00a0000 đ", Decimal(1_500_000)),
        ("1.500.000 VNĐ", Decimal(1_500_000)),
        ("1,500,000", Decimal(1_500_000)),
        ("1.500.000,5", Decimal("1500000.5")),
        ("1500000,5", Decimal("1500000.5")),
        ("1500000.5", Decimal("1500000.5")),
        ("-200.000", Decimal(-200_000)),
        ("0", Decimal(0)),
    ],
)
def test_amounts_are_read_the_vietnamese_way(text, amount):
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["1,500", "abc", "1.5e6", "1.500.00", "", "1..500"])
def test_ambiguous_or_malformed_amounts_are_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def _write(path: Path, rows: list[list[str]], *, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _household(code: str, area: str, income: str, deprived: int) -> list[str]:
    return [code, area, income, *(["1"] * deprived + ["0"] * (12 - deprived))]


HEADER = ["household_code", "area", "monthly_income_per_person", *VN_2022.indicator_codes]


def test_a_clean_file_gets_three_columns_and_keeps_the_rest(tmp_path):
    source = _write(
        tmp_path / "in.csv",
        [
            [*HEADER, "ghi_chu"],
            [*_household("H-01", "rural", "1.500.000", 3), "Làng Kon Stiu"],
            [*_household("H-02", "nông thôn", "1.500.000", 2), ""],
            [*_household("H-03", "urban", "2.000.001", 0), "x"],
        ],
    )
    summary = classify_csv(VN_2022, source, tmp_path / "out.csv")
    rows = _read(tmp_path / "out.csv")
    assert [(r["status"], r["deprivation_count"], r["rule"]) for r in rows] == [
        ("poor", "3", "income<=1500000 and deprived>=3"),
        ("near_poor", "2", "income<=1500000 and deprived<3"),
        ("average", "0", "income<=3000000"),
    ]
    assert rows[0]["ghi_chu"] == "Làng Kon Stiu"
    assert rows[1]["monthly_income_per_person"] == "1.500.000"
    assert summary.rows == 3 and summary.by_status["poor"] == 1


def test_nfd_text_headers_in_other_case_and_semicolons_are_accepted(tmp_path):
    nfd = unicodedata.normalize("NFD", "thành thị")
    header = ["Household Code", "AREA", "monthly-income-per-person", *VN_2022.indicator_codes]
    path = tmp_path / "in.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerow(_household(unicodedata.normalize("NFD", "Hộ-1"), nfd, "2.000.000", 3))
    classify_csv(VN_2022, path, tmp_path / "out.csv")
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert rows[0]["status"] == "poor"


def test_a_windows_1258_file_is_read(tmp_path):
    source = _write(
        tmp_path / "in.csv",
        [HEADER, _household("H1", "nông thôn", "1.000.000", 3)],
        encoding="cp1258",
    )
    classify_csv(VN_2022, source, tmp_path / "out.csv")
    assert _read(tmp_path / "out.csv")[0]["area"] == "nông thôn"


def test_an_income_only_standard_needs_no_indicator_columns(tmp_path):
    source = _write(
        tmp_path / "in.csv",
        [
            ["household_code", "area", "monthly_income_per_person"],
            ["A", "rural", "400.000"],
            ["B", "rural", "400.001"],
            ["C", "urban", "650.001"],
        ],
    )
    classify_csv(get_standard("vn-2011"), source, tmp_path / "out.csv")
    assert [r["status"] for r in _read(tmp_path / "out.csv")] == ["poor", "near_poor", "not_poor"]


def test_a_rerun_on_an_output_file_overwrites_the_result_columns(tmp_path):
    source = _write(tmp_path / "in.csv", [HEADER, _household("H1", "rural", "1", 3)])
    classify_csv(VN_2022, source, tmp_path / "once.csv")
    classify_csv(get_standard("vn-2027"), tmp_path / "once.csv", tmp_path / "twice.csv")
    rows = _read(tmp_path / "twice.csv")
    assert list(rows[0]).count("status") == 1
    assert rows[0]["rule"] == "income<=2200000 and deprived>=3"


def test_missing_indicator_columns_are_named(tmp_path):
    source = _write(tmp_path / "in.csv", [HEADER[:-2], ["H1", "rural", "1", *["0"] * 10]])
    with pytest.raises(InvalidInput) as error:
        classify_csv(VN_2022, source, tmp_path / "out.csv")
    assert {p.location.column for p in error.value.problems} == {"telecom", "information_means"}


def test_every_bad_cell_is_listed_with_row_and_column_and_nothing_is_written(tmp_path):
    source = _write(
        tmp_path / "in.csv",
        [
            HEADER,
            _household("H1", "rural", "1.000.000", 0),
            _household("H1", "miền núi", "-1", 0),
            [*_household("H3", "urban", "1,500", 0)[:3], "2", *["0"] * 11],
            _household("", "urban", "", 0),
            _household("H5", "urban", "5.000.000.000", 0),
        ],
    )
    with pytest.raises(InvalidInput) as error:
        classify_csv(VN_2022, source, tmp_path / "out.csv")
    found = {(p.location.row, p.location.column) for p in error.value.problems}
    assert found == {
        (3, "household_code"),
        (3, "area"),
        (3, "monthly_income_per_person"),
        (4, "monthly_income_per_person"),
        (4, "employment"),
        (5, "household_code"),
        (5, "monthly_income_per_person"),
        (6, "monthly_income_per_person"),
    }
    assert list(tmp_path.iterdir()) == [source]


def test_problems_after_many_clean_chunks_still_leave_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "CHUNK_ROWS", 2)
    rows = [HEADER] + [_household(f"H{i}", "rural", "1", 0) for i in range(7)]
    rows.append(_household("H9", "rural", "lots", 0))
    source = _write(tmp_path / "in.csv", rows)
    with pytest.raises(InvalidInput):
        classify_csv(VN_2022, source, tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == [source]


def test_chunks_together_give_every_row_in_order(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "CHUNK_ROWS", 3)
    rows = [HEADER] + [_household(f"H{i}", "rural", str(i * 300_000), i % 5) for i in range(10)]
    source = _write(tmp_path / "in.csv", rows)
    classify_csv(VN_2022, source, tmp_path / "out.csv")
    assert [r["household_code"] for r in _read(tmp_path / "out.csv")] == [
        f"H{i}" for i in range(10)
    ]


def test_blank_rows_are_skipped_and_short_rows_padded(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(
        "household_code,area,monthly_income_per_person,note\n,,,\nA,rural,1\n\n",
        encoding="utf-8",
    )
    classify_csv(get_standard("vn-2006"), source, tmp_path / "out.csv")
    assert [(r["household_code"], r["note"]) for r in _read(tmp_path / "out.csv")] == [("A", "")]


@pytest.mark.parametrize(
    "content", [b"", b"PK\x03\x04binary", b"\n\n", b'household_code,"area\nA,b']
)
def test_an_unusable_file_is_a_clear_error(tmp_path, content):
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    with pytest.raises(InvalidInput):
        classify_csv(VN_2022, source, tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == [source]


def test_formula_like_cells_of_the_input_come_out_inert(tmp_path):
    source = _write(
        tmp_path / "in.csv",
        [[*HEADER, "ghi_chu"], [*_household("H-01", "rural", "1.500.000", 3), "=1+2"]],
    )
    classify_csv(VN_2022, source, tmp_path / "out.csv")
    (row,) = _read(tmp_path / "out.csv")
    assert row["ghi_chu"] == "'=1+2"  # OWASP's guard; the input itself is untouched
