"""ODK/KoBoToolbox: the census XLSForm converts with pyxform; its CSV exports import."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from ketnghia.census.odk import census_xlsform, form_id
from ketnghia.poverty.standards import builtin_standards, get_standard


def _xform(data: bytes) -> str:
    return convert(xlsform=data, file_type=".xlsx").xform


def _sheet_rows(data: bytes, sheet: str) -> list[dict]:
    rows = list(load_workbook(io.BytesIO(data), read_only=True)[sheet].iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


# --- XLSForm -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(builtin_standards()))
def test_every_standard_gives_a_form_pyxform_converts_with_each_indicator(db, code):
    standard = get_standard(code)
    xform = _xform(census_xlsform(standard=standard))
    for field in ("code", "head_name", "area", "member_count", "monthly_income_per_person"):
        assert f"/data/household/{field}" in xform
    for indicator in standard.indicators:
        assert f'nodeset="/data/deprivations/{indicator.code}"' in xform
    if not standard.indicators:
        assert "/data/deprivations" not in xform


def test_labels_are_vietnamese_first_with_english_beside(db):
    standard = get_standard("vn-2022")
    data = census_xlsform(standard=standard)
    xform = _xform(data)
    assert '<translation lang="Tiếng Việt (vi)" default="true()">' in xform
    assert '<translation lang="English (en)">' in xform
    survey = {row["name"]: row for row in _sheet_rows(data, "survey")}
    income = survey["monthly_income_per_person"]
    assert income["type"] == "integer"
    assert income["constraint"].startswith(". >= 0")
    assert income["required"] == "yes"
    assert survey["code"]["label::Tiếng Việt (vi)"] == "Mã hộ"
    assert survey["code"]["label::English (en)"] == "Household code"
    insurance = survey["health_insurance"]
    assert insurance["type"] == "select_one yes_no"
    assert "Bảo hiểm y tế" in insurance["label::Tiếng Việt (vi)"]
    assert "Health insurance" in insurance["label::English (en)"]


def test_settings_name_the_form_and_its_version_follows_the_content(db, tree):
    standard = get_standard("vn-2016")
    data = census_xlsform(standard=standard, commune=tree.ngok_wang)
    (settings,) = _sheet_rows(data, "settings")
    assert (
        settings["form_id"] == "ketnghia_census_vn_2016_23500" == form_id(standard, tree.ngok_wang)
    )
    assert settings["version"].startswith("vn-2016-")
    (again,) = _sheet_rows(census_xlsform(standard=standard, commune=tree.ngok_wang), "settings")
    assert again["version"] == settings["version"]
    tree.village_a.name = "Làng Kon Stiu mới"
    tree.village_a.save()
    (changed,) = _sheet_rows(census_xlsform(standard=standard, commune=tree.ngok_wang), "settings")
    assert changed["version"] != settings["version"]


def test_with_a_commune_villages_are_choices_and_the_commune_is_recorded(db, tree):
    data = census_xlsform(standard=get_standard("vn-2022"), commune=tree.ngok_wang)
    choices = [row for row in _sheet_rows(data, "choices") if row["list_name"] == "villages"]
    assert [row["name"] for row in choices] == ["23500-01"]
    assert "Làng Kon Stiu" in choices[0]["label::Tiếng Việt (vi)"]
    xform = _xform(data)
    bind = re.search(r'<bind [^>]*nodeset="/data/commune_code"[^>]*/>', xform)
    assert bind is not None and "calculate=\"'23500'\"" in bind.group(0)
    survey = {row["name"]: row for row in _sheet_rows(data, "survey")}
    assert survey["village"]["type"] == "select_one villages"
    assert survey["area"]["default"] == "rural"


def test_the_command_writes_a_form_that_converts(db, tree, tmp_path):
    output = tmp_path / "census.xlsx"
    out = io.StringIO()
    call_command(
        "census-xlsform",
        "--standard",
        "vn-2022",
        "--commune",
        "23500",
        "-o",
        str(output),
        stdout=out,
    )
    assert "health_insurance" in _xform(output.read_bytes())
    assert "ketnghia_census_vn_2022_23500" in out.getvalue()


def test_the_command_refuses_an_unknown_standard_or_commune(db, tree, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as error:
        call_command("census-xlsform", "--standard", "vn-1999", "-o", str(tmp_path / "x.xlsx"))
    assert error.value.returncode == 2
    with pytest.raises(CommandError) as error:
        call_command(
            "census-xlsform",
            "--standard",
            "vn-2022",
            "--commune",
            "99999",
            "-o",
            str(tmp_path / "x.xlsx"),
        )
    assert error.value.returncode == 2
    assert not (tmp_path / "x.xlsx").exists()
