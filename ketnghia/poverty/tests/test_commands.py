"""The auditors' commands, run as the real `ketnghia` console script with no database at all.

Each run uses the production profile with no SECRET_KEY and a DATABASE_URL naming a SQLite
file in a directory that does not exist: any attempt to open the database would fail the
command, and the test also checks nothing was created there.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ketnghia.poverty.standards import get_standard


def _console_script() -> str:
    found = shutil.which("ketnghia", path=str(Path(sys.executable).parent)) or shutil.which(
        "ketnghia"
    )
    if found is None:
        pytest.fail("the ketnghia console script is not installed (pip install -e .)")
    return found


@pytest.fixture
def run(tmp_path: Path):
    missing = tmp_path / "no-such-dir"
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "KETNGHIA_PROFILE",
            "KETNGHIA_TESTING",
            "DJANGO_SETTINGS_MODULE",
            "DEBUG",
        }
    }
    env.update(
        DATABASE_URL=f"sqlite:///{missing / 'ketnghia.sqlite3'}",
        KETNGHIA_VAR_DIR=str(missing / "var"),
        PYTHONIOENCODING="utf-8",
    )

    def _run(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [_console_script(), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        assert not missing.exists(), "the command touched the database or var directory"
        return result

    return _run


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_standards_json_lists_codes_years_lines_and_indicators_in_order(run):
    result = run("standards", "--json")
    assert result.returncode == 0, result.stderr
    data = {item["code"]: item for item in json.loads(result.stdout)}
    assert list(data) == ["vn-2006", "vn-2011", "vn-2016", "vn-2022", "vn-2027"]
    assert (data["vn-2016"]["first_year"], data["vn-2016"]["last_year"]) == (2016, 2021)
    assert data["vn-2011"]["thresholds"]["urban"] == {"poor": 500_000, "near_poor": 650_000}
    assert data["vn-2022"]["thresholds"]["rural"]["average"] == 2_250_000
    assert data["vn-2022"]["indicator_codes"] == list(get_standard("vn-2022").indicator_codes)
    assert data["vn-2006"]["indicator_codes"] == []
    assert data["vn-2027"]["verified"] is False


def test_standards_table_is_plain_text(run):
    result = run("standards")
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"vn-2022\s+2022–2026\s+\S+\s+1\.500\.000\s+1\.500\.000\s+2\.250\.000", result.stdout
    )
    assert "information_means" in result.stdout


def test_classify_writes_status_count_and_rule(run, tmp_path):
    codes = get_standard("vn-2016").indicator_codes
    _write(
        tmp_path / "in.csv",
        [
            ["household_code", "area", "monthly_income_per_person", *codes],
            ["H1", "rural", "700.000", *["0"] * 10],
            ["H2", "rural", "1.000.000", "1", "1", "1", *["0"] * 7],
            ["H3", "urban", "1.000.000", "1", "1", *["0"] * 8],
            ["H4", "urban", "1.300.001", *["1"] * 10],
        ],
    )
    result = run("classify", "--standard", "vn-2016", "in.csv", "-o", "out.csv")
    assert result.returncode == 0, result.stderr
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["status"], r["deprivation_count"], r["rule"]) for r in rows] == [
        ("poor", "0", "income<=700000"),
        ("poor", "3", "income<=1000000 and deprived>=3"),
        ("near_poor", "2", "income<=1300000 and deprived<3"),
        ("not_poor", "10", "income>1300000"),
    ]
    assert "vn-2016" in result.stdout


def test_classify_lists_every_bad_row_on_stderr_and_exits_2(run, tmp_path):
    _write(
        tmp_path / "in.csv",
        [
            ["household_code", "area", "monthly_income_per_person"],
            ["H1", "rural", "-1"],
            ["H2", "mountain", "200.000"],
            ["H3", "urban", "2.000.000.000"],
        ],
    )
    result = run("classify", "--standard", "vn-2006", "in.csv", "-o", "out.csv")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    for row, column in [
        (2, "monthly_income_per_person"),
        (3, "area"),
        (4, "monthly_income_per_person"),
    ]:
        assert any(re.search(rf"\b{row}\b.*\b{column}\b", line) for line in lines), (row, column)
    assert not (tmp_path / "out.csv").exists()


def test_classify_needs_the_indicator_columns_of_a_multidimensional_standard(run, tmp_path):
    _write(
        tmp_path / "in.csv",
        [["household_code", "area", "monthly_income_per_person"], ["H1", "rural", "1"]],
    )
    result = run("classify", "--standard", "vn-2022", "in.csv", "-o", "out.csv")
    assert result.returncode == 2
    assert "employment" in result.stderr and "information_means" in result.stderr


def test_classify_refuses_an_unknown_standard(run, tmp_path):
    _write(tmp_path / "in.csv", [["household_code", "area", "monthly_income_per_person"]])
    result = run("classify", "--standard", "vn-1999", "in.csv", "-o", "out.csv")
    assert result.returncode == 2
    assert "vn-1999" in result.stderr and "vn-2022" in result.stderr
    assert "Traceback" not in result.stderr


def test_classify_under_a_local_standard_file(run, tmp_path):
    (tmp_path / "local.toml").write_text(
        'code = "kontum-2011"\nbase = "vn-2011"\nfirst_year = 2013\nlast_year = 2015\n'
        '[name]\nvi = "Chuẩn địa phương (ví dụ)"\n[legal_basis]\nvi = "Nghị quyết HĐND tỉnh"\n'
        "[thresholds.rural]\npoor = 450_000\nnear_poor = 600_000\n"
        "[thresholds.urban]\npoor = 550_000\nnear_poor = 700_000\n",
        encoding="utf-8",
    )
    _write(
        tmp_path / "in.csv",
        [["household_code", "area", "monthly_income_per_person"], ["H1", "rural", "450.000"]],
    )
    listed = run("standards", "--json", "--standard-file", "local.toml")
    assert [s["code"] for s in json.loads(listed.stdout)][-1] == "kontum-2011"
    result = run("classify", "--standard-file", "local.toml", "in.csv", "-o", "out.csv")
    assert result.returncode == 0, result.stderr
    assert "poor,0,income<=450000" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")


def test_a_broken_local_standard_file_exits_2_naming_the_field(run, tmp_path):
    (tmp_path / "local.toml").write_text('code = "x"\nrule = "income_only"\n', encoding="utf-8")
    result = run("standards", "--standard-file", "local.toml")
    assert result.returncode == 2
    assert "first_year" in result.stderr and "thresholds" in result.stderr
