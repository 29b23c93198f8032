"""ODK/KoBoToolbox: the census XLSForm converts with pyxform; its CSV exports import."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from ketnghia.census.models import CensusEntry, CensusRound, ImportBatch
from ketnghia.census.odk import census_xlsform, form_id, odk_import
from ketnghia.core.errors import InvalidInput
from ketnghia.households.models import Household
from ketnghia.imports.readers import column_letter
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


# --- Import of the submissions ---------------------------------------------------------------

STANDARD = "vn-2022"
CODES = get_standard(STANDARD).indicator_codes
# What ODK Central adds around the form's own fields in its CSV export.
CENTRAL_BEFORE = ["SubmissionDate", "start", "end", "commune_code"]
CENTRAL_AFTER = [
    "meta-instanceID",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]
HOUSEHOLD_FIELDS = [
    "code",
    "village",
    "head_name",
    "area",
    "member_count",
    "monthly_income_per_person",
]


def _form_fields(separator: str) -> list[str]:
    """Return the export's names of the form's household and deprivation fields."""
    return [f"household{separator}{name}" for name in HOUSEHOLD_FIELDS] + [
        f"deprivations{separator}{code}" for code in CODES
    ]


def _central_row(
    number: int,
    household: list[object],
    flags: list[object],
    *,
    review: str = "",
    commune: str = "23500",
) -> list[object]:
    uuid = f"uuid:6f1c1e2a-0000-4000-8000-{number:012d}"
    return [
        f"2024-10-{15 + number:02d}T02:15:42.123Z",
        "2024-10-14T23:50:11.000+07:00",
        "2024-10-15T00:05:40.000+07:00",
        commune,
        *household,
        *flags,
        uuid,
        uuid,
        "7",
        "Điều tra viên A",
        "0",
        "0",
        "",
        review,
        "collect:AbCdEf123",
        "0",
        "vn-2022-0123456789",
    ]


def _write_export(path, header: list[str], rows: list[list[object]], delimiter: str = ",") -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)


def _no_flags() -> list[object]:
    return ["0"] * len(CODES)


def _flags(*deprived: str, yes: str = "1", no: str = "0") -> list[object]:
    return [yes if code in deprived else no for code in CODES]


@pytest.fixture
def central_export(tmp_path):
    path = tmp_path / "ketnghia_census_vn_2022_23500.csv"
    _write_export(
        path,
        CENTRAL_BEFORE + _form_fields("-") + CENTRAL_AFTER,
        [
            # Poor: income within the rural line and deprived on 3 indicators.
            _central_row(
                1,
                ["23500-0001", "23500-01", "A Thút", "rural", "5", "1200000"],
                _flags("health_insurance", "housing_quality", "latrine"),
            ),
            # Near-poor: within the line, 1 deprivation.
            _central_row(
                2,
                ["23500-0002", "23500-01", "Y Bia", "rural", "3", "1400000"],
                _flags("nutrition"),
                review="approved",
            ),
            # A reviewer rejected it: left out, though its income is absurd.
            _central_row(
                3,
                ["23500-0003", "23500-01", "Đinh Văn Hùng", "rural", "4", "-5"],
                _no_flags(),
                review="rejected",
            ),
            # Average living standard: above the poor line, within the average one.
            _central_row(
                4,
                ["23500-0004", "Làng Kon Stiu", "Nguyễn Thị Lan", "rural", "2", "2000000"],
                _no_flags(),
                review="hasIssues",
            ),
        ],
    )
    return path


@pytest.fixture
def census_round(tree):
    from ketnghia.census.services import census_round_create

    return census_round_create(commune=tree.ngok_wang, year=2024, standard_code=STANDARD)


def _entries(census_round) -> dict[str, CensusEntry]:
    return {entry.household_code: entry for entry in CensusEntry.objects.filter(round=census_round)}


def test_an_odk_central_export_imports_through_the_census_import(census_round, central_export):
    report = odk_import(census_round=census_round, path=central_export)
    assert (report.submissions, report.rejected) == (4, 1)
    assert (report.census.created, report.census.households_created) == (3, 3)
    entries = _entries(census_round)
    assert sorted(entries) == ["23500-0001", "23500-0002", "23500-0004"]
    poor = entries["23500-0001"]
    assert (poor.status, poor.deprivation_count) == ("poor", 3)
    assert (poor.head_name, poor.village_code, poor.member_count) == ("A Thút", "23500-01", 5)
    # The interview ended on 15 October in Vietnam; the server got it on the 16th (UTC).
    assert poor.surveyed_on == dt.date(2024, 10, 15)
    assert entries["23500-0002"].status == "near_poor"
    assert entries["23500-0004"].status == "average"
    assert ImportBatch.objects.get(round=census_round).file_name == central_export.name


def test_importing_the_same_export_again_changes_nothing(census_round, central_export):
    odk_import(census_round=census_round, path=central_export)
    again = odk_import(census_round=census_round, path=central_export)
    assert (again.census.created, again.census.updated, again.census.unchanged) == (0, 0, 3)
    assert ImportBatch.objects.filter(round=census_round).count() == 1


def test_a_kobotoolbox_export_with_slashes_semicolons_and_yes_no(census_round, tmp_path):
    path = tmp_path / "kobo.csv"
    header = ["start", "end", "commune_code", *_form_fields("/"), "_id", "_uuid"]
    header += ["_submission_time", "_validation_status", "_status", "__version__", "_index"]
    rows = [
        [
            "2024-10-20T08:00:00.000+07:00",
            "2024-10-20T08:20:00.000+07:00",
            "23500",
            "23500-0101",
            "23500-01",
            "A Blông",
            "rural",
            "6",
            "900000",
            *_flags("employment", "dependants", "nutrition", yes="yes", no="no"),
            "1",
            "4a0c2b1e-1111-4222-8333-444455556666",
            "2024-10-20T01:25:00",
            "validation_status_approved",
            "submitted_via_web",
            "aBcD1234",
            "1",
        ]
    ]
    _write_export(path, header, rows, delimiter=";")
    report = odk_import(census_round=census_round, path=path)
    assert report.census.created == 1
    entry = _entries(census_round)["23500-0101"]
    assert (entry.status, entry.deprivation_count) == ("poor", 3)
    assert entry.surveyed_on == dt.date(2024, 10, 20)


def test_problems_name_the_exports_rows_and_columns_and_nothing_is_written(census_round, tmp_path):
    path = tmp_path / "central.csv"
    header = CENTRAL_BEFORE + _form_fields("-") + CENTRAL_AFTER
    _write_export(
        path,
        header,
        [
            _central_row(1, ["23500-0001", "23500-01", "A Thút", "rural", "5", "-1"], _no_flags()),
            _central_row(
                2,
                ["23500-0002", "23500-01", "Y Bia", "rural", "3", "800000"],
                _flags("employment", yes="maybe"),
                commune="23488",
            ),
        ],
    )
    with pytest.raises(InvalidInput) as error:
        odk_import(census_round=census_round, path=path)
    found = {(p.location.row, p.location.column) for p in error.value.problems}
    income = header.index("household-monthly_income_per_person")
    commune = header.index("commune_code")
    flag = header.index("deprivations-employment")
    assert (2, f"{column_letter(income)} (household-monthly_income_per_person)") in found
    assert (3, f"{column_letter(commune)} (commune_code)") in found
    assert (3, f"{column_letter(flag)} (deprivations-employment)") in found
    assert all(p.location.file == "central.csv" for p in error.value.problems)
    assert not CensusEntry.objects.exists()
    assert not Household.objects.exists()


def test_an_export_missing_an_indicator_column_is_refused_by_name(census_round, tmp_path):
    path = tmp_path / "central.csv"
    header = [h for h in CENTRAL_BEFORE + _form_fields("-") if h != "deprivations-nutrition"]
    _write_export(path, header, [])
    with pytest.raises(InvalidInput) as error:
        odk_import(census_round=census_round, path=path)
    assert any("deprivations-nutrition" in str(p) for p in error.value.problems)


def test_a_workbook_export_is_refused_with_a_clear_message(census_round, tmp_path):
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(census_xlsform(standard=get_standard(STANDARD)))
    with pytest.raises(InvalidInput) as error:
        odk_import(census_round=census_round, path=path)
    assert "CSV" in str(error.value)


def test_the_forms_own_field_names_are_what_the_import_reads(census_round, tmp_path):
    data = census_xlsform(standard=get_standard(STANDARD), commune=census_round.commune)
    group, fields = "", []
    for row in _sheet_rows(data, "survey"):
        if row["type"] == "begin_group":
            group = row["name"]
        elif row["type"] == "end_group":
            group = ""
        elif row["type"] not in {"start", "end"}:
            fields.append(f"{group}-{row['name']}" if group else row["name"])
    values = {
        "commune_code": "23500",
        "household-code": "23500-0007",
        "household-village": "23500-01",
        "household-head_name": "A Pao",
        "household-area": "rural",
        "household-member_count": "4",
        "household-monthly_income_per_person": "2000000",
    }
    path = tmp_path / "central.csv"
    _write_export(path, fields, [[values.get(field, "no") for field in fields]])
    odk_import(census_round=census_round, path=path)
    assert _entries(census_round)["23500-0007"].status == "average"


def test_the_command_checks_then_imports_and_exits_2_on_problems(tree, central_export, tmp_path):
    out = io.StringIO()
    args = [str(central_export), "--commune", "23500", "--year", "2024"]
    call_command("import-odk", *args, "--dry-run", stdout=out)
    assert not CensusRound.objects.exists()
    call_command("import-odk", *args, stdout=out)
    census_round = CensusRound.objects.get(commune=tree.ngok_wang, year=2024)
    assert census_round.standard_code == "vn-2022"
    assert len(_entries(census_round)) == 3

    bad = tmp_path / "bad.csv"
    _write_export(
        bad,
        CENTRAL_BEFORE + _form_fields("-") + CENTRAL_AFTER,
        [_central_row(1, ["23500-0009", "23500-01", "A Ríu", "rural", "2", "abc"], _no_flags())],
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import-odk", str(bad), "--commune", "23500", "--year", "2025", stderr=err)
    assert error.value.returncode == 2
    assert "bad.csv" in err.getvalue()
    assert not CensusRound.objects.filter(year=2025).exists()

    with pytest.raises(CommandError) as error:
        call_command("import-odk", str(bad), "--commune", "99999", "--year", "2025", stderr=err)
    assert error.value.returncode == 2
