"""Printable lists of a round (.xlsx, .docx) and the ODK/KoBo form, downloaded from its page."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from ketnghia.census import services
from ketnghia.census.models import CensusEntry
from ketnghia.census.tests.factories import HEADS, make_round
from ketnghia.conftest import make_unit
from ketnghia.core.collation import name_key, text_key
from ketnghia.geo.models import UnitKind, UnitLevel
from ketnghia.households.models import Household

# Head names in the order a Vietnamese list gives them (by given name: An, Ân, Bình, …).
NAMES = {
    "01": "Trần Văn Bình",
    "02": "Nguyễn Thị Ân",
    "03": "Lê Văn An",
    "04": "Đinh Văn Dũng",
    "05": "A Đặng",
    "06": '=HYPERLINK("x")',
    "07": "Y Ăn",
}


def test_vietnamese_name_order():
    names = ["Đinh Văn Dũng", "A Đặng", "Trần Văn Bình", "Nguyễn Thị Ân", "Lê Văn An", "Y Ăn"]
    assert sorted(names, key=name_key) == [
        "Lê Văn An",
        "Y Ăn",
        "Nguyễn Thị Ân",
        "Trần Văn Bình",
        "Đinh Văn Dũng",
        "A Đặng",
    ]
    # Words compare one by one: a space sorts before any letter, đ after d, tones in order.
    words = ["A Sáu", "An Bình", "Anh", "Ba", "Bà", "Bả", "Bã", "Bá", "Bạ"]
    assert sorted(words, key=text_key) == words


def _round(tree, users):
    village_2 = make_unit(
        "23500-02", "Thôn Kon Năng", UnitLevel.VILLAGE, UnitKind.THON, tree.ngok_wang
    )
    incomes = {code: 100_000 for code in NAMES}
    incomes["08"] = 5_000_000  # not poor: not on the list
    census_round = make_round(tree.ngok_wang, 2015, "vn-2011", incomes, village=tree.village_a)
    for code, name in NAMES.items():
        Household.objects.filter(commune=tree.ngok_wang, code=code).update(head_name=name)
        CensusEntry.objects.filter(round=census_round, household_code=code).update(head_name=name)
    CensusEntry.objects.filter(round=census_round, household_code__in=["04", "05"]).update(
        village_code=village_2.code
    )
    near = CensusEntry.objects.get(round=census_round, household_code="01")
    services.census_entry_override(
        entry=near, status="near_poor", reason="Có lương hưu", actor=users.commune_officer
    )
    return census_round


def _url(name: str, **query) -> str:
    url = reverse(f"census:{name}", kwargs={"commune": "23500", "year": 2015})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def listed(client, tree, users):
    census_round = _round(tree, users)
    client.force_login(users.province_viewer)  # a reader, not an editor, may take the lists
    page = client.get(_url("round_detail")).content.decode()
    for testid in ("list-xlsx", "list-docx", "xlsform"):
        assert f'data-testid="{testid}"' in page
    return census_round


def test_the_xlsx_list_is_per_village_sorted_and_inert(client, listed):
    response = client.get(_url("round_list"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    text = [str(value) for row in rows for value in row if value is not None]
    assert "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2015" in text
    by_village = {}
    village = None
    for row in rows:
        if isinstance(row[0], str) and row[0].startswith("Thôn: "):
            village = row[0].removeprefix("Thôn: ")
        if isinstance(row[0], int):
            by_village.setdefault(village, []).append((row[0], row[1], row[2], row[3]))
    # Villages in the commune's order of codes.
    assert list(by_village) == ["Làng Kon Stiu", "Thôn Kon Năng"]
    assert by_village["Thôn Kon Năng"] == [
        (1, "04", "Đinh Văn Dũng", "hộ nghèo"),
        (2, "05", "A Đặng", "hộ nghèo"),
    ]
    assert by_village["Làng Kon Stiu"] == [
        (1, "03", "Lê Văn An", "hộ nghèo"),
        (2, "07", "Y Ăn", "hộ nghèo"),
        (3, "02", "Nguyễn Thị Ân", "hộ nghèo"),
        (4, "06", '=HYPERLINK("x")', "hộ nghèo"),
        (5, "01", "Trần Văn Bình", "hộ cận nghèo"),
    ]
    # Formula-like names are text, never formulas; the not-poor household is not listed.
    formula = next(
        cell for row in sheet.iter_rows() for cell in row if cell.value == '=HYPERLINK("x")'
    )
    assert formula.data_type == "s"
    assert "08" not in [row[1] for row in rows]
    assert "Trưởng thôn" in text and "(ký, ghi rõ họ tên)" in text
    assert "Làng Kon Stiu: 4 hộ nghèo và 1 hộ cận nghèo." in text
    # No personal ID number of any head leaves through the list.
    for _name, personal_id in HEADS.values():
        assert personal_id not in " ".join(text)


def _tables(tables):
    """Yield `tables` and the tables nested in their cells (the list's closing block)."""
    for table in tables:
        yield table
        for row in table.rows:
            for cell in row.cells:
                yield from _tables(cell.tables)


def _cells(table):
    return [cell for row in table.rows for cell in row.cells]


def _household_rows(table):
    """Return the list's rows under its header, those of the closing block included."""
    rows = []
    for row in table.rows[1:]:
        nested = row.cells[0].tables
        if nested:
            rows += [[cell.text for cell in inner.cells] for inner in nested[0].rows]
        else:
            rows.append([cell.text for cell in row.cells])
    return rows


def test_the_docx_list_has_the_same_order_and_signature_lines(client, listed):
    response = client.get(_url("round_list", format="docx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.docx"')
    document = Document(io.BytesIO(response.content))
    lists = [table for table in document.tables if table.rows[0].cells[0].text == "STT"]
    assert len(lists) == 2
    kon_stiu = _household_rows(lists[0])
    kon_stiu = kon_stiu if kon_stiu[0][1] == "03" else _household_rows(lists[1])
    assert [(row[1], row[2], row[3]) for row in kon_stiu] == [
        ("03", "Lê Văn An", "hộ nghèo"),
        ("07", "Y Ăn", "hộ nghèo"),
        ("02", "Nguyễn Thị Ân", "hộ nghèo"),
        ("06", '=HYPERLINK("x")', "hộ nghèo"),
        ("01", "Trần Văn Bình", "hộ cận nghèo"),
    ]
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "Thôn: Làng Kon Stiu" in paragraphs and "Thôn: Thôn Kon Năng" in paragraphs
    signatures = [cell.text for table in _tables(document.tables) for cell in _cells(table)]
    assert "Trưởng thôn" in signatures and "TM. Ủy ban nhân dân xã" in signatures
    for _name, personal_id in HEADS.values():
        assert personal_id not in paragraphs + " ".join(signatures)


def test_the_xlsform_downloads_from_the_round_page(client, listed):
    response = client.get(_url("round_xlsform"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert {"survey", "choices", "settings"} <= set(workbook.sheetnames)
    choices = [row for row in workbook["choices"].iter_rows(values_only=True)]
    assert any("Làng Kon Stiu" in str(value) for row in choices for value in row)


def test_lists_of_another_commune_answer_404(client, tree, users):
    _round(tree, users)
    client.force_login(users.twinning_member)  # twinned with Đắk Choong only
    for name in ("round_list", "round_xlsform"):
        assert client.get(_url(name)).status_code == 404
