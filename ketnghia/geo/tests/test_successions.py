"""Importing successions, and showing an old figure under the units of today."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from ketnghia.conftest import Tree
from ketnghia.core.errors import InvalidInput
from ketnghia.geo.importers import successions_import
from ketnghia.geo.models import Succession, Unit, UnitKind, UnitLevel
from ketnghia.geo.selectors import succession_edges, values_reaggregated
from ketnghia.geo.services import unit_create
from ketnghia.geo.tests.helpers import write_csv, write_xlsx

HEADER = ["Mã đơn vị cũ", "Mã đơn vị mới", "Ngày hiệu lực", "Tỷ lệ", "Ghi chú"]
REFORM = date(2025, 7, 1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def merged(tree: Tree) -> Unit:
    """Quảng Ngãi (51) after the reform, with one new commune (a test code, not the real one)."""
    province = unit_create(
        code="51",
        name="Tỉnh Quảng Ngãi",
        level=UnitLevel.PROVINCE,
        kind=UnitKind.TINH,
        parent=None,
        actor=None,
    )
    return unit_create(
        code="T5101",
        name="Xã Đăk Hà Mới",
        level=UnitLevel.COMMUNE,
        kind=UnitKind.XA,
        parent=province,
        actor=None,
    )


def _state() -> tuple[int, int, list[tuple[str, object, object]]]:
    return (
        Succession.objects.count(),
        Succession.history.count(),
        list(Unit.objects.order_by("code").values_list("code", "valid_from", "valid_to")),
    )


def test_two_kon_tum_communes_merged_show_their_2015_figure_under_the_new_commune(
    tree: Tree, merged: Unit, users, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "sap-nhap.csv",
        [
            HEADER,
            ["23500", "T5101", "01/07/2025", "", "Nghị quyết sắp xếp ĐVHC cấp xã"],
            ["23488", "T5101", "2025-07-01", "100%", ""],
        ],
    )
    report = successions_import(path=path, dry_run=False, actor=users.province_admin)
    assert report.created == 2
    ngok_wang, dak_mar, new = (Unit.objects.get(code=c) for c in ("23500", "23488", "T5101"))
    assert ngok_wang.valid_to == dak_mar.valid_to == date(2025, 6, 30)
    assert new.valid_from == REFORM
    assert Succession.history.first().history_user == users.province_admin

    poor_households_2015 = {"23500": 412, "23488": 288, "23290": 530}
    shown = values_reaggregated(
        poor_households_2015, as_of=date(2026, 1, 1), data_date=date(2015, 12, 31)
    )
    assert shown == {"T5101": 700.0, "23290": 530.0}
    # Seen on a date before the reform, the figure stays under the old communes.
    assert values_reaggregated(
        poor_households_2015, as_of=date(2025, 6, 30), data_date=date(2015, 12, 31)
    ) == {"23500": 412.0, "23488": 288.0, "23290": 530.0}

    before = _state()
    again = successions_import(path=path, dry_run=False, actor=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert _state() == before


def test_a_split_by_share_from_xlsx(tree: Tree, merged: Unit, tmp_path: Path) -> None:
    other = unit_create(
        code="T5102",
        name="Xã Thử Hai",
        level=UnitLevel.COMMUNE,
        kind=UnitKind.XA,
        parent="51",
        actor=None,
    )
    path = write_xlsx(
        tmp_path / "tach.xlsx",
        [
            HEADER,
            ["23290", "T5101", REFORM, "0,6", None],
            [23290, "T5102", REFORM, 0.4, "phần còn lại"],
        ],
    )
    successions_import(path=path, dry_run=False, actor=None)
    assert {(e.old, e.new, Decimal(e.share)) for e in succession_edges()} == {
        ("23290", "T5101", Decimal("0.6")),
        ("23290", "T5102", Decimal("0.4")),
    }
    assert values_reaggregated({"23290": 100}, as_of=REFORM, data_date=date(2020, 1, 1)) == (
        pytest.approx({"T5101": 60.0, "T5102": 40.0})
    )
    other.refresh_from_db()
    assert other.valid_from == REFORM


def test_a_share_in_a_percent_formatted_cell_is_the_fraction_it_shows(
    tree: Tree, merged: Unit, tmp_path: Path
) -> None:
    import openpyxl

    path = write_xlsx(tmp_path / "tach.xlsx", [HEADER, ["23290", "T5101", REFORM, 0.6, None]])
    book = openpyxl.load_workbook(path)
    book.active["D2"].number_format = "0%"  # shows 60 %
    book.save(path)
    successions_import(path=path, dry_run=False, actor=None)
    assert {(e.old, e.new, Decimal(e.share)) for e in succession_edges()} == {
        ("23290", "T5101", Decimal("0.6"))
    }


def test_a_partial_split_leaves_the_old_unit_in_force(
    tree: Tree, merged: Unit, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", [HEADER, ["23290", "T5101", "01/01/2020", "30%", ""]])
    successions_import(path=path, dry_run=False, actor=None)
    assert Unit.objects.get(code="23290").valid_to is None
    # Its remainder may merge later.
    later = write_csv(tmp_path / "b.csv", [HEADER, ["23290", "23500", "01/07/2025", "1", ""]])
    successions_import(path=later, dry_run=False, actor=None)
    assert Unit.objects.get(code="23290").valid_to == date(2025, 6, 30)


def test_dry_run_writes_nothing(tree: Tree, merged: Unit, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [HEADER, ["23500", "T5101", "01/07/2025", "", ""]])
    before = _state()
    report = successions_import(path=path, dry_run=True, actor=None)
    assert (report.created, report.dry_run) == (1, True)
    assert _state() == before


def test_bad_successions_are_listed_with_row_and_column_and_nothing_is_written(
    tree: Tree, merged: Unit, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "sai.csv",
        [
            HEADER,
            ["23500", "T5101", "01/07/2025", "1", "fine alone"],
            ["99999", "T5101", "01/07/2025", "1", ""],  # unknown old
            ["23488", "23488", "01/07/2025", "1", ""],  # itself
            ["23290", "T5101", "31/06/2025", "1", ""],  # bad date
            ["23290", "T5101", "01/07/2025", "1,5", ""],  # share above 1
            ["23290", "T5101", "01/07/2025", "-10%", ""],  # share below 0
            ["23290", "T5101", "", "1", ""],  # blank date
        ],
    )
    before = _state()
    with pytest.raises(InvalidInput) as caught:
        successions_import(path=path, dry_run=False, actor=None)
    found = [(p.location.row, p.location.column[0]) for p in caught.value.problems]
    assert found == [(3, "A"), (4, "B"), (5, "C"), (6, "D"), (7, "D"), (8, "C")]
    assert _state() == before


def test_shares_overlaps_and_cycles_are_refused(tree: Tree, merged: Unit, tmp_path: Path) -> None:
    before = _state()
    cases = {
        "shares": [
            ["23500", "T5101", "01/07/2025", "0,7", ""],
            ["23500", "23488", "01/07/2025", "0,4", ""],
        ],
        "overlap": [
            ["23500", "T5101", "01/07/2025", "1", ""],
            ["23500", "23488", "01/01/2020", "1", ""],
        ],
        "cycle": [
            ["23500", "23488", "01/01/2020", "0,5", ""],
            ["23488", "23500", "01/07/2025", "0,5", ""],
        ],
        "twice": [
            ["23500", "T5101", "01/07/2025", "0,5", ""],
            ["23500", "T5101", "01/07/2025", "0,5", ""],
        ],
    }
    expected = {
        "shares": "more than 1",
        "overlap": "Overlapping",
        "cycle": "cycle",
        "twice": "appears twice",
    }
    for name, rows in cases.items():
        path = write_csv(tmp_path / f"{name}.csv", [HEADER, *rows])
        with pytest.raises(InvalidInput) as caught:
            successions_import(path=path, dry_run=False, actor=None)
        assert any(expected[name] in p.message for p in caught.value.problems), name
        assert all(p.location.row in (2, 3) for p in caught.value.problems)
    assert _state() == before


def test_overlap_with_a_succession_already_stored(tree: Tree, merged: Unit, tmp_path: Path) -> None:
    successions_import(
        path=write_csv(tmp_path / "a.csv", [HEADER, ["23500", "T5101", "01/07/2025", "", ""]]),
        dry_run=False,
        actor=None,
    )
    before = _state()
    for name, row in {
        "other-date": ["23500", "23488", "01/01/2026", "1", ""],
        "same-pair-other-date": ["23500", "T5101", "01/01/2024", "1", ""],
        "cycle": ["T5101", "23500", "01/01/2026", "1", ""],
    }.items():
        path = write_csv(tmp_path / f"{name}.csv", [HEADER, row])
        with pytest.raises(InvalidInput) as caught:
            successions_import(path=path, dry_run=False, actor=None)
        assert caught.value.problems[0].location.row == 2, name
    assert _state() == before


def test_load_successions_command(tree: Tree, merged: Unit, tmp_path: Path) -> None:
    good = write_csv(tmp_path / "ok.csv", [HEADER, ["23500", "T5101", "01/07/2025", "", ""]])
    out = StringIO()
    call_command("load-successions", str(good), "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue() and Succession.objects.count() == 0
    call_command("load-successions", str(good), stdout=out)
    assert Succession.objects.count() == 1
    bad = write_csv(tmp_path / "bad.csv", [HEADER, ["23500", "23500", "01/07/2025", "", ""]])
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("load-successions", str(bad), stderr=err)
    assert caught.value.returncode == 2
    assert "row 2" in err.getvalue() and "column B" in err.getvalue()
