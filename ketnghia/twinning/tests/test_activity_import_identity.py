"""The identity of an imported activity survives the ways a file comes back.

A bulk-template row is known by its parsed, normalised content, so the same rows saved by
Excel as "CSV UTF-8", by LibreOffice (.xlsx and .csv), retyped as text, in NFD or with
no-break spaces create nothing on re-import. An ODK Central submission is known by its
`KEY` (the original instance id; an edit gets a new `meta-instanceID`), a KoBoToolbox one by
`meta/rootUuid` or, failing it, by `meta/deprecatedID` pointing at the stored version: an
edited submission updates its activity — or, once the commune confirmed it, is reported and
left alone — and never becomes a second one.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import load_workbook

from ketnghia.twinning import services
from ketnghia.twinning.activity_import.pipeline import activity_import
from ketnghia.twinning.activity_import.template import DATA_SHEET, HEADER_ROW, activity_template
from ketnghia.twinning.models import Activity, ActivityKind, ActivityStatus
from ketnghia.twinning.tests.activity_files import (
    CENTRAL_HEADER,
    Field,
    central_export,
    central_row,
    make_field,
    write_central,
)

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
TRAINING_KEY = "0c9f2d4e-6b7a-4c1d-8e5f-2a3b4c5d6e7f"


@pytest.fixture
def field(tree, users) -> Field:
    return make_field(tree, users)


def _label(kind: ActivityKind) -> str:
    with translation.override("vi"):
        return str(kind.label)


def _rows(tree, field: Field) -> list[list[object]]:
    """Five activities as an officer types them into the team's template in Excel."""
    village = f"{tree.village_a.name} ({tree.village_a.code})"
    return [
        [
            village,
            datetime(2024, 5, 3),
            _label(ActivityKind.TRAINING),
            "Trần Văn Bình; Nguyễn Thị Hoa",
            10,
            15,
            25,
            20,
            2_000_000,
            "10 bao xi măng",
            "Tập huấn trồng sâm",
        ],
        [
            None,
            datetime(2024, 6, 11),
            _label(ActivityKind.VISIT),
            "Nguyễn Thị Hoa",
            12.0,
            18.0,
            30.0,
            30,
            0,
            None,
            "Thăm hộ nghèo",
        ],
        [
            village,
            datetime(2024, 7, 1),
            _label(ActivityKind.MEETING),
            None,
            5,
            5,
            10,
            10,
            0,
            None,
            None,
        ],
        [
            None,
            datetime(2024, 8, 2),
            _label(ActivityKind.PROPAGANDA),
            "Trần Văn Bình",
            40,
            35,
            75,
            70,
            1_500_000.0,
            None,
            "Tuyên truyền về sinh kế",
        ],
        [
            village,
            datetime(2024, 9, 9),
            _label(ActivityKind.SUPPORT_HANDOVER),
            "Nguyễn Thị Hoa; Trần Văn Bình",
            3,
            2,
            5,
            5,
            30_000_000,
            "2 con bò giống",
            "Trao bò cho hộ nghèo",
        ],
    ]


def _template_file(path: Path, field: Field, rows: list[list[object]]) -> Path:
    book = load_workbook(io.BytesIO(activity_template(team=field.team)))
    sheet = book[DATA_SHEET]
    for offset, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(HEADER_ROW + offset, column)
            cell.value = value
            if isinstance(value, datetime):
                cell.number_format = "DD/MM/YYYY"  # what Excel shows in a Vietnamese locale
            elif isinstance(value, str):
                cell.data_type = "s"
    book.save(path)
    return path


def _shown(value: object) -> str:
    """A cell as Excel shows it, so as its "CSV UTF-8" writes it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _excel_csv(path: Path, template: Path, delimiter: str = ",") -> Path:
    """Excel's "CSV UTF-8": a byte-order mark, the list separator, every cell as displayed.

    Under Vietnamese regional settings (the decimal mark is a comma) the separator is ";".
    """
    sheet = load_workbook(template)[DATA_SHEET]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        for row in sheet.iter_rows(max_row=HEADER_ROW + 5, values_only=True):
            writer.writerow([_shown(value) for value in row[:11]])
    return path


def _text_copy(path: Path, tree, field: Field) -> Path:
    """The same rows in text-formatted cells, typed in NFD with no-break and double spaces."""

    def messy(value: object) -> object:
        text = _shown(value)
        if not text:
            return None
        text = text.replace(" ", NBSP, 1).replace("; ", " ;  ")
        return unicodedata.normalize("NFD", text)

    rows = [[messy(value) for value in row] for row in _rows(tree, field)]
    rows[0][2] = unicodedata.normalize("NFD", "TẬP HUẤN")
    rows[1][3] = unicodedata.normalize("NFD", "nguyễn thị hoa")
    return _template_file(path, field, rows)


def _libreoffice_like_xlsx(path: Path, tree, field: Field) -> Path:
    """The workbook as LibreOffice Calc saves it back: every number a float, text shared."""

    def as_calc(value: object) -> object:
        return float(value) if isinstance(value, int) else value

    return _template_file(path, field, [[as_calc(v) for v in row] for row in _rows(tree, field)])


def _libreoffice_like_csv(path: Path, template: Path) -> Path:
    """LibreOffice's "Text CSV" (UTF-8, no byte-order mark, cells as displayed)."""
    sheet = load_workbook(template)[DATA_SHEET]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        for row in sheet.iter_rows(max_row=HEADER_ROW + 5, values_only=True):
            writer.writerow([_shown(value) for value in row[:11]])
    return path


def _libreoffice(source: Path, target: str, out: Path, profile: Path) -> Path | None:
    """Open `source` in LibreOffice Calc and save it as `target`; None without Calc."""
    if not shutil.which("soffice"):
        return None
    out.mkdir()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",  # its own profile: runs in parallel
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        check=False,
        capture_output=True,
        timeout=180,
    )
    made = list(out.iterdir())
    return made[0] if made else None  # Writer alone cannot load a workbook


def test_a_template_round_tripped_through_excel_and_libreoffice_creates_nothing_new(
    tmp_path, tree, users, field
):
    original = _template_file(tmp_path / "hoat-dong.xlsx", field, _rows(tree, field))
    assert activity_import(path=original, user=users.province_admin).created == 5
    copies = [
        _excel_csv(tmp_path / "hoat-dong-excel.csv", original),
        _excel_csv(tmp_path / "hoat-dong-excel-vi.csv", original, ";"),
        _text_copy(tmp_path / "hoat-dong-van-ban.xlsx", tree, field),
        _libreoffice_like_xlsx(tmp_path / "hoat-dong-calc.xlsx", tree, field),
        _libreoffice_like_csv(tmp_path / "hoat-dong-calc.csv", original),
    ]
    profile = tmp_path / "lo-profile"
    for target, out in (
        ("xlsx", "lo-xlsx"),
        ("csv:Text - txt - csv (StarCalc):44,34,76", "lo-csv"),
    ):
        made = _libreoffice(original, target, tmp_path / out, profile)
        if made is not None:
            copies.append(made)
    for copy in copies:
        report = activity_import(path=copy, user=users.province_admin, team=field.team)
        assert (report.created, report.already_imported) == (0, 5), copy.name
    assert Activity.objects.count() == 5


def test_a_row_repeated_in_another_spelling_in_one_file_is_refused_as_the_same(
    tmp_path, tree, users, field
):
    rows = _rows(tree, field)[:1]
    again = [_shown(value) for value in rows[0]]
    again[10] = unicodedata.normalize("NFD", "Tập" + NBSP + "huấn  trồng sâm")
    path = _template_file(tmp_path / "hai-lan.xlsx", field, [rows[0], again])
    with pytest.raises(Exception) as refused:
        activity_import(path=path, user=users.province_admin)
    problem = refused.value.problems[0]
    assert "already in row 4" in str(problem)
    assert (problem.location.file, problem.location.row) == ("hai-lan.xlsx", 5)
    assert problem.location.sheet == DATA_SHEET
    assert not Activity.objects.exists()


def _central_edited(path: Path, field: Field, tree, *, male: str, notes: str) -> Path:
    """Central's export after a reviewer edited the training submission: new instance id."""
    row = central_row(
        team=f"t{field.team.pk}",
        commune="23500",
        day="2024-06-11",
        kind="training",
        participants=f"p{field.hoa.pk}",
        male=male,
        female="18",
        minority="30",
        notes=notes,
        uuid=TRAINING_KEY,
    )
    row[CENTRAL_HEADER.index("meta-instanceID")] = "uuid:9a8b7c6d-0000-4000-8000-00000000e417"
    row[CENTRAL_HEADER.index("Edits")] = "1"
    return write_central(path, [row])


def test_an_edited_central_submission_updates_its_activity(tmp_path, tree, users, field):
    activity_import(path=central_export(tmp_path, tree, field), user=users.province_admin)
    assert Activity.objects.count() == 2
    edited = _central_edited(tmp_path / "sua.csv", field, tree, male="14", notes="Đã sửa")
    preview = activity_import(path=edited, user=users.province_admin, dry_run=True)
    assert (preview.new, preview.updated) == (0, 1)
    assert [(c.code, c.new, c.updated) for c in preview.communes] == [("23500", 0, 1)]
    assert Activity.objects.get(source=TRAINING_KEY).reached_male == 12  # a dry run writes nothing
    report = activity_import(path=edited, user=users.province_admin)
    assert (report.created, report.updated) == (0, 1)
    assert Activity.objects.count() == 2
    training = Activity.objects.get(source=TRAINING_KEY)
    assert (training.reached_male, training.notes) == (14, "Đã sửa")
    assert training.history.first().history_change_reason == "import: sua.csv"
    again = activity_import(path=edited, user=users.province_admin)
    assert (again.created, again.updated, again.already_imported) == (0, 0, 1)


def test_an_edit_of_a_confirmed_activity_is_reported_not_applied(tmp_path, tree, users, field):
    activity_import(path=central_export(tmp_path, tree, field), user=users.province_admin)
    training = Activity.objects.get(source=TRAINING_KEY)
    services.activity_confirm(activity=training, actor=users.commune_officer)
    edited = _central_edited(tmp_path / "sua.csv", field, tree, male="14", notes="Đã sửa")
    report = activity_import(path=edited, user=users.province_admin)
    assert (report.created, report.updated, len(report.frozen)) == (0, 0, 1)
    message = report.frozen[0]
    assert "sua.csv" in message and "row 2" in message and "confirmed" in message
    with translation.override("vi"):
        (message,) = activity_import(path=edited, user=users.province_admin).frozen
    assert "sua.csv" in message and "dòng 2" in message and "xã xác nhận" in message
    training.refresh_from_db()
    assert (training.reached_male, training.status) == (12, ActivityStatus.CONFIRMED)
    assert Activity.objects.count() == 2


def _kobo(path: Path, rows: list[dict[str, str]]) -> Path:
    header = [
        "report/team",
        "report/date",
        "report/kind",
        "report/reached_male",
        "report/reached_female",
        "report/reached_total",
        "meta/instanceID",
        "meta/rootUuid",
        "meta/deprecatedID",
        "_id",
        "_uuid",
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
    return path


def _kobo_row(field: Field, male: str, uuid: str, **meta: str) -> dict[str, str]:
    return {
        "report/team": f"t{field.team.pk}",
        "report/date": "2024-08-02",
        "report/kind": "meeting",
        "report/reached_male": male,
        "report/reached_female": "5",
        "report/reached_total": str(int(male) + 5),
        "meta/instanceID": f"uuid:{uuid}",
        "_id": "91235",
        "_uuid": uuid,
        **meta,
    }


def test_an_edited_kobo_submission_updates_by_root_uuid_or_deprecated_id(
    tmp_path, tree, users, field
):
    first = "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
    second = "2e3f4051-6b7c-4d8e-9fa0-1b2c3d4e5f60"
    path = _kobo(tmp_path / "kobo.csv", [_kobo_row(field, "5", first)])
    assert activity_import(path=path, user=users.province_admin).created == 1
    # A KoBoToolbox server of today: meta/rootUuid stays the first instance id.
    path = _kobo(
        tmp_path / "kobo-2.csv",
        [
            _kobo_row(
                field,
                "6",
                second,
                **{"meta/rootUuid": f"uuid:{first}", "meta/deprecatedID": f"uuid:{first}"},
            )
        ],
    )
    assert activity_import(path=path, user=users.province_admin).updated == 1
    assert Activity.objects.get().reached_male == 6
    # An older server: no rootUuid; each edit points at the version before by deprecatedID.
    older = "4a5b6c7d-8e9f-4a0b-8c1d-2e3f4a5b6c7d"
    path = _kobo(tmp_path / "kobo-4.csv", [_kobo_row(field, "8", older, _id="91300")])
    assert activity_import(path=path, user=users.province_admin).created == 1
    edits = ("5b6c7d8e-9f0a-4b1c-9d2e-3f4a5b6c7d8e", "6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f")
    chain = ((older, edits[0]), (edits[0], edits[1]))
    for number, (previous, edit) in enumerate(chain, start=5):
        path = _kobo(
            tmp_path / f"kobo-{number}.csv",
            [_kobo_row(field, str(number + 4), edit, **{"meta/deprecatedID": f"uuid:{previous}"})],
        )
        report = activity_import(path=path, user=users.province_admin)
        assert (report.created, report.updated) == (0, 1)
    assert Activity.objects.count() == 2
    assert Activity.objects.get(source=edits[1]).reached_male == 10


def test_the_migration_rekeys_stored_template_rows_and_keeps_duplicates(tree, users, field):
    from importlib import import_module

    from django.apps import apps

    from ketnghia.twinning.activity_import.pipeline import stored_content

    migration = import_module("ketnghia.twinning.migrations.0004_import_identity")

    def record(source: str) -> Activity:
        return services.activity_record(
            team=field.team,
            date=datetime(2024, 5, 3).date(),
            kind=ActivityKind.TRAINING,
            participants=[field.hoa, field.binh],
            reached_male=3,
            notes="Tập" + NBSP + "huấn",
            source=source,
            actor=None,
        )

    first, duplicate = record("row:old-cells-1"), record("row:old-cells-2")
    migration.rekey_template_rows(apps, None)
    first.refresh_from_db()
    duplicate.refresh_from_db()
    assert first.source == stored_content(first)
    assert duplicate.source == "row:old-cells-2"  # kept, not deleted


def test_the_page_previews_an_edit_and_applies_it_on_confirmation(
    client, tmp_path, tree, users, field, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path / "media"
    activity_import(path=central_export(tmp_path, tree, field), user=users.province_admin)
    edited = _central_edited(tmp_path / "sua.csv", field, tree, male="14", notes="Đã sửa")
    client.force_login(users.commune_officer)
    upload = SimpleUploadedFile("sua.csv", edited.read_bytes(), content_type="text/csv")
    response = client.post("/network/activities/import/?commune=23500", {"file": upload})
    page = response.content.decode()
    assert 'data-new="0"' in page and 'data-updated="1"' in page
    assert 'data-testid="confirm-form"' in page
    assert Activity.objects.get(source=TRAINING_KEY).reached_male == 12
    key = response.context["key"]
    assert client.post("/network/activities/import/confirm/", {"key": key}).status_code == 302
    assert Activity.objects.count() == 2
    assert Activity.objects.get(source=TRAINING_KEY).reached_male == 14


def test_a_submission_stored_under_its_instance_id_is_found_and_rekeyed(
    tmp_path, tree, users, field
):
    """Before KEY came first, an export of an already edited submission stored its
    meta-instanceID: the same export finds that activity (confirmed or not) and gives it the
    KEY, creating nothing."""
    activity_import(path=central_export(tmp_path, tree, field), user=users.province_admin)
    edited = _central_edited(tmp_path / "sua.csv", field, tree, male="12", notes="")
    instance = "9a8b7c6d-0000-4000-8000-00000000e417"
    training = Activity.objects.get(source=TRAINING_KEY)
    Activity.objects.filter(pk=training.pk).update(source=instance)
    services.activity_confirm(activity=training, actor=users.commune_officer)
    report = activity_import(path=edited, user=users.province_admin)
    assert (report.created, report.updated, report.already_imported, report.frozen) == (
        0,
        0,
        1,
        [],
    )
    assert report.relabelled == 1
    training.refresh_from_db()
    assert (training.source, training.status) == (TRAINING_KEY, ActivityStatus.CONFIRMED)
    assert Activity.objects.count() == 2
