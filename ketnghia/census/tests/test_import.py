"""The census import: what it reads, what it writes, and that a second import changes nothing."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ketnghia.census import services
from ketnghia.census.importing import census_import
from ketnghia.census.models import CensusEntry, CensusRound, ImportBatch
from ketnghia.census.tests.census_files import generate_csv, headers, household, write_csv
from ketnghia.households.models import Household
from ketnghia.poverty.standards import get_standard

VN_2022 = get_standard("vn-2022")
NONE_DEPRIVED = [0] * 12


@pytest.fixture(autouse=True)
def _english():
    """Match messages on their English msgids; the Vietnamese catalogue may change."""
    with translation.override("en"):
        yield


@pytest.fixture
def census_round(tree) -> CensusRound:
    return services.census_round_create(commune=tree.ngok_wang, year=2024, standard_code="vn-2022")


def deprived(count: int) -> list[int]:
    return [1] * count + [0] * (12 - count)


def test_households_are_created_classified_and_recorded(census_round, tmp_path, users):
    path = write_csv(
        tmp_path / "ra-soat.csv",
        headers(VN_2022),
        [
            household("23500-001", "Nguyễn Văn A", "Làng Kon Stiu", "1.500.000", deprived(3)),
            household("23500-002", "Y Bay", "Kon Stiu", "1.500.000", deprived(2)),
            household("23500-003", "A Thịnh", "23500-01", "2.250.000", NONE_DEPRIVED),
            household("23500-004", "Y Hoa", "làng kon stiu", "2.250.001", deprived(12)),
        ],
    )
    report = census_import(census_round=census_round, path=path, actor=users.commune_officer)

    entries = {e.household_code: e for e in CensusEntry.objects.filter(round=census_round)}
    assert {code: e.status for code, e in entries.items()} == {
        "23500-001": "poor",
        "23500-002": "near_poor",
        "23500-003": "average",
        "23500-004": "not_poor",
    }
    first = entries["23500-001"]
    assert first.deprivations == 0b111 and first.deprivation_count == 3
    assert first.rule == "income<=1500000 and deprived>=3"
    assert first.village_code == "23500-01" and first.area == "rural"
    assert first.surveyed_on.isoformat() == "2024-10-15" and first.member_count == 4
    household_a = Household.objects.get(code="23500-001")
    assert household_a.commune == census_round.commune
    assert household_a.village.code == "23500-01"
    assert household_a.unit_path == "/62/615/23500/23500-01/"
    assert household_a.head_name == "Nguyễn Văn A"

    batch = ImportBatch.objects.get()
    assert (batch.file_name, batch.imported_by, batch.rows_read) == (
        "ra-soat.csv",
        users.commune_officer,
        4,
    )
    assert len(batch.file_sha256) == 64 and batch.file_sha256 == report.sha256
    assert (batch.households_created, batch.entries_created) == (4, 4)
    assert set(CensusEntry.objects.values_list("import_batch", flat=True)) == {batch.pk}
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    assert report.by_status == {"poor": 1, "near_poor": 1, "average": 1, "not_poor": 1}
    assert report.batch_id == batch.pk


def test_importing_the_same_file_again_changes_nothing(census_round, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        headers(VN_2022),
        [
            household(f"H{i}", f"Chủ hộ {i}", "Làng Kon Stiu", "1.000.000", deprived(i))
            for i in range(5)
        ],
    )
    census_import(census_round=census_round, path=path)
    before = list(CensusEntry.objects.order_by("pk").values())
    households = list(Household.objects.order_by("pk").values())

    report = census_import(census_round=census_round, path=path)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    assert (report.households_created, report.households_updated) == (0, 0)
    assert report.batch_id is None
    assert ImportBatch.objects.count() == 1
    assert list(CensusEntry.objects.order_by("pk").values()) == before
    assert list(Household.objects.order_by("pk").values()) == households


def test_a_corrected_file_changes_only_what_changed_and_keeps_an_override(
    census_round, tmp_path, users
):
    rows = [
        household(f"H{i}", f"Chủ hộ {i}", "Làng Kon Stiu", "1.000.000", deprived(1))
        for i in range(4)
    ]
    census_import(
        census_round=census_round, path=write_csv(tmp_path / "a.csv", headers(VN_2022), rows)
    )
    overridden = CensusEntry.objects.get(household_code="H3")
    services.census_entry_override(
        entry=overridden, status="poor", reason="Chủ hộ ốm nặng", actor=users.commune_officer
    )
    rows[0] = household("H0", "Chủ hộ mới", "Làng Kon Stiu", "1.000.000", deprived(1))
    rows[1] = household("H1", "Chủ hộ 1", "Làng Kon Stiu", "1.000.000", deprived(4))
    rows[3] = household("H3", "Chủ hộ 3", "Làng Kon Stiu", "900.000", deprived(1))
    rows.append(household("H9", "Chủ hộ 9", "Làng Kon Stiu", "3.000.000", deprived(0)))

    # Three of the round's four entries change: most of the round, so it is confirmed.
    report = census_import(
        census_round=census_round,
        path=write_csv(tmp_path / "b.csv", headers(VN_2022), rows),
        confirm=True,
    )

    assert (report.created, report.updated, report.unchanged) == (1, 3, 1)
    assert (report.households_created, report.households_updated) == (1, 1)
    second = ImportBatch.objects.order_by("-pk").first()
    changed = set(
        CensusEntry.objects.filter(import_batch=second).values_list("household_code", flat=True)
    )
    assert changed == {"H0", "H1", "H3", "H9"}
    assert Household.objects.get(code="H0").head_name == "Chủ hộ mới"
    assert CensusEntry.objects.get(household_code="H1").status == "poor"
    kept = CensusEntry.objects.get(household_code="H3")
    assert (kept.status, kept.computed_status, kept.override_reason) == (
        "poor",
        "near_poor",
        "Chủ hộ ốm nặng",
    )


def test_a_dry_run_reports_and_writes_nothing(census_round, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        headers(VN_2022),
        [household("H1", "A", "Làng Kon Stiu", "1.000.000", deprived(3))],
    )
    report = census_import(census_round=census_round, path=path, dry_run=True)
    assert (report.dry_run, report.created, report.households_created) == (True, 1, 1)
    assert report.by_status["poor"] == 1
    assert (
        CensusEntry.objects.count() == Household.objects.count() == ImportBatch.objects.count() == 0
    )


def test_officers_spellings_are_read(census_round, tmp_path):
    """NFD headers and cells, aliases without diacritics, x marks, total rows, blank rows."""
    nfd = [unicodedata.normalize("NFD", name) for name in headers(VN_2022)]
    nfd[0] = "MA HO"
    nfd[1] = "ho ten chu ho"
    flags = ["x", "X", "có"] + [""] * 9
    rows = [
        [
            "H1",
            unicodedata.normalize("NFD", "Đinh Thị Lan"),
            "1 500 000 đ",
            unicodedata.normalize("NFD", "Kon Stiu"),
            unicodedata.normalize("NFD", "nông thôn"),
            "5",
            "01/10/2024",
            *flags,
        ],
        [""] * 19,
        ["H2", "Y Nhi", "2.000.000,5", "Làng Kon Stiu", "thành thị", "", "", *(["không"] * 12)],
        ["", "Tổng cộng", "3.500.000", "", "", "", "", *[""] * 12],
    ]
    path = write_csv(tmp_path / "a.csv", nfd, rows)
    report = census_import(census_round=census_round, path=path)
    assert (report.rows, report.skipped_rows) == (2, 1)
    h1 = CensusEntry.objects.get(household_code="H1")
    assert (h1.head_name, h1.deprivations, h1.status, h1.monthly_income_per_person) == (
        "Đinh Thị Lan",
        0b111,
        "poor",
        1_500_000,
    )
    h2 = CensusEntry.objects.get(household_code="H2")
    # A fraction of a đồng is rounded up: every line is a whole number of đồng.
    assert (h2.area, h2.monthly_income_per_person, h2.member_count, h2.surveyed_on) == (
        "urban",
        2_000_001,
        None,
        None,
    )
    assert Household.objects.get(code="H2").area_overridden is True


def test_indicator_columns_may_be_headed_by_code(census_round, tmp_path):
    path = write_csv(
        tmp_path / "codes.csv",
        headers(VN_2022, by_code=True),
        [household("H1", "A", "Làng Kon Stiu", "1500000", deprived(3))],
    )
    census_import(census_round=census_round, path=path)
    assert CensusEntry.objects.get().status == "poor"


def test_an_income_only_round_needs_no_indicator_columns(tree, tmp_path):
    census_round = services.census_round_create(
        commune=tree.ngok_wang, year=2012, standard_code="vn-2011"
    )
    path = write_csv(
        tmp_path / "a.csv",
        headers(get_standard("vn-2011")),
        [
            household("H1", "A", "Làng Kon Stiu", "400.000", surveyed_on=""),
            household("H2", "B", "Làng Kon Stiu", "400.001", surveyed_on=""),
        ],
    )
    census_import(census_round=census_round, path=path)
    assert dict(CensusEntry.objects.values_list("household_code", "status")) == {
        "H1": "poor",
        "H2": "near_poor",
    }


def test_progress_is_reported_and_the_queries_do_not_grow_with_the_file(
    census_round, tmp_path, monkeypatch
):
    from ketnghia.census.importing import pipeline

    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 50)
    path = generate_csv(
        tmp_path / "big.csv", VN_2022, rows=400, villages=["Làng Kon Stiu"], commune_code="23500"
    )
    seen: list[tuple[int, int | None]] = []
    with CaptureQueriesContext(connection) as queries:
        report = census_import(
            census_round=census_round, path=path, progress=lambda d, t: seen.append((d, t))
        )
    assert report.created == 400
    assert seen[0] == (50, 400) and seen[-1] == (400, 400)
    # Set-based: a fixed number of statements plus one insert per chunk (SQLite's executemany
    # is one statement per block), never one per household; the history rows and the stored
    # summary are set-based statements too, and so is the refresh of the commune's indicator
    # aggregates (a fixed set of statements for the commune, its district and province).
    assert len(queries) < 80
    assert CensusEntry.objects.count() == 400


def test_an_approved_round_refuses_an_import(census_round, tmp_path):
    CensusRound.objects.filter(pk=census_round.pk).update(state="commune_approved")
    census_round.refresh_from_db()
    path = write_csv(
        tmp_path / "a.csv",
        headers(VN_2022),
        [household("H1", "A", "Làng Kon Stiu", "1", deprived(3))],
    )
    with pytest.raises(Exception, match="approved") as caught:
        census_import(census_round=census_round, path=path)
    assert caught.type.__name__ == "InvalidInput"
    assert CensusEntry.objects.count() == 0


def test_the_measure_script_generator_writes_what_the_import_reads(tmp_path):
    path = generate_csv(
        Path(tmp_path) / "g.csv", VN_2022, rows=3, villages=["Thôn 1"], commune_code="99901"
    )
    assert path.read_text(encoding="utf-8").count("\n") == 4
