"""The assignments import: files an officer makes, refusals located, re-import, preview, scope."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from ketnghia.core.errors import InvalidInput
from ketnghia.core.gate import EVERYTHING, Action, scope_for
from ketnghia.imports.confirm import ConfirmationNeeded
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.twinning import services
from ketnghia.twinning.assignment_import import assignments_import
from ketnghia.twinning.models import (
    Assignment,
    NetworkRules,
    Person,
    PersonRole,
    Twinning,
)
from ketnghia.twinning.selectors import in_charge_on
from ketnghia.twinning.tests.network import committee_member, household, network, party_member

pytestmark = pytest.mark.django_db

HEADER = [
    "Loại phân công",
    "Mã xã",
    "Thôn, làng",
    "Mã hộ",
    "Đơn vị phụ trách",
    "Mã người phụ trách",
    "Họ tên người phụ trách",
    "Từ ngày",
    "Đến ngày",
    "Số quyết định",
    "Ngày quyết định",
]


def _program(tree, cap: int = 3) -> Program:
    program = Program.objects.create(code="nq04", name="NQ04", start_date=date(2007, 1, 1))
    for commune in (tree.ngok_wang, tree.dak_mar, tree.dak_choong):
        ProgramCommune.objects.create(program=program, commune=commune, valid_from=date(2007, 1, 1))
    NetworkRules.objects.create(program=program, max_households_per_party_member=cap)
    return program


@pytest.fixture
def world(tree):
    _program(tree)
    net = network(tree)
    blong = party_member("Y Blong", tree.ngok_wang, tree.village_a)
    thuan = party_member("A Thuận", tree.ngok_wang, tree.village_a)
    hoa = committee_member("Y Hoa", tree.ngok_wang)
    homes = [household(tree.ngok_wang, code, tree.village_a) for code in ("01-001", "01-002")]
    other = household(tree.dak_mar, "02-001", tree.village_b)
    return {
        "net": net,
        "blong": blong,
        "thuan": thuan,
        "hoa": hoa,
        "homes": homes,
        "other": other,
    }


def _xlsx(path: Path, rows: list[list[object]], *, title: bool = True, people=None) -> Path:
    """Write a workbook the way an officer would: a title line, the header, the rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Phân công"
    if title:
        sheet.append(["DANH SÁCH PHÂN CÔNG PHỤ TRÁCH XÃ NGỌK WANG"])
        sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    if people is not None:
        extra = book.create_sheet("Người phụ trách")
        extra.append(
            [
                "Mã người",
                "Họ và tên",
                "Giới tính",
                "Năm sinh",
                "Dân tộc",
                "Điện thoại",
                "Vai trò",
                "Mã xã",
                "Thôn, làng",
                "Hoạt động từ",
                "Hoạt động đến",
            ]
        )
        for row in people:
            extra.append(row)
    book.save(path)
    return path


def _counts() -> tuple[int, int, int]:
    return Assignment.objects.count(), Twinning.objects.count(), Person.objects.count()


def _rows(world, tree) -> list[list[object]]:
    net = world["net"]
    return [
        [
            "Kết nghĩa (đơn vị → xã)",
            "23500",
            "",
            "",
            net.agency.name,
            "",
            "",
            date(2007, 6, 1),
            None,
            "15/QĐ-UBND",
            "20/05/2007",
        ],
        [
            "Phòng, ban huyện → thôn",
            23500,
            "Kon Stiu",
            "",
            "Phòng Nông nghiệp huyện Đắk Hà",
            "",
            "",
            "01/01/2010",
            None,
            "",
            None,
        ],
        [
            "Cấp ủy viên → thôn",
            "23500",
            "23500-02",
            "",
            "",
            world["hoa"].pk,
            "Y Hoa",
            "01/01/2010",
            None,
            "",
            None,
        ],
        [
            "Đảng viên → hộ",
            "23500",
            "",
            "01-001",
            "",
            world["blong"].pk,
            "Y Blong",
            date(2010, 1, 1),
            None,
            "",
            None,
        ],
        [
            "Đảng viên → hộ",
            "23500",
            "",
            "01-002",
            "",
            world["blong"].pk,
            "",
            date(2010, 1, 1),
            None,
            "",
            None,
        ],
    ]


def test_an_officers_workbook_creates_the_assignments_and_a_second_import_changes_nothing(
    tree, world, tmp_path
):
    path = _xlsx(tmp_path / "phan-cong.xlsx", _rows(world, tree))
    dry = assignments_import(path=path, dry_run=True)
    assert (dry.created, dry.reassigned, dry.unchanged) == (5, 0, 0)
    assert _counts() == (0, 0, 3)
    report = assignments_import(path=path)
    assert report.created == 5 and report.by_commune["23500"]["created"] == 5
    assert _counts() == (4, 1, 3)
    twinning = Twinning.objects.get()
    assert twinning.decision == "15/QĐ-UBND" and twinning.decision_date == date(2007, 5, 20)
    assert twinning.history.count() == 1
    again = assignments_import(path=path)
    assert (again.created, again.unchanged, again.changed) == (0, 5, False)
    assert _counts() == (4, 1, 3)
    assert Assignment.history.count() == 4


def test_a_reassignment_closes_the_old_one_the_day_before_and_answers_who_was_in_charge(
    tree, world, tmp_path
):
    assignments_import(path=_xlsx(tmp_path / "a.xlsx", _rows(world, tree)))
    home = world["homes"][0]
    rows = [
        [
            "Đảng viên → hộ",
            "23500",
            "",
            "01-001",
            "",
            world["thuan"].pk,
            "A Thuận",
            "01/01/2012",
            None,
            "3/QĐ-ĐU",
            None,
        ],
    ]
    path = _xlsx(tmp_path / "b.xlsx", rows)
    with pytest.raises(ConfirmationNeeded) as refused:
        assignments_import(path=path)
    assert refused.value.report.reassigned == 1 and refused.value.report.closed == 1
    assert Assignment.objects.filter(household=home).count() == 1
    report = assignments_import(path=path, confirm=True)
    assert report.reassigned == 1
    old = Assignment.objects.get(household=home, person=world["blong"])
    assert old.end_date == date(2011, 12, 31)
    before = in_charge_on(scope=EVERYTHING, on=date(2011, 6, 1), household=home)
    after = in_charge_on(scope=EVERYTHING, on=date(2012, 6, 1), household=home)
    assert before.party_member.person == world["blong"]
    assert after.party_member.person == world["thuan"]
    again = assignments_import(path=path)
    assert again.unchanged == 1 and not again.changed


def test_csv_in_utf8_with_bom_and_in_utf16_import_alike(tree, world, tmp_path):
    rows = _rows(world, tree)
    for encoding, delimiter in (("utf-8-sig", ","), ("utf-16", "\t")):
        path = tmp_path / f"phan-cong-{encoding}.csv"
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            writer.writerow(HEADER)
            for row in rows:
                writer.writerow(
                    [
                        value.strftime("%d/%m/%Y") if isinstance(value, date) else value
                        for value in row
                    ]
                )
        report = assignments_import(path=path, dry_run=True)
        assert report.created == 5, encoding


def _messages(error: pytest.ExceptionInfo) -> list[str]:
    return [str(problem) for problem in error.value.problems]


def _refused(path: Path, **options) -> list[str]:
    before = _counts()
    histories = (Assignment.history.count(), Twinning.history.count(), Person.history.count())
    with pytest.raises(InvalidInput) as refused:
        assignments_import(path=path, **options)
    assert _counts() == before
    assert (
        Assignment.history.count(),
        Twinning.history.count(),
        Person.history.count(),
    ) == histories
    return _messages(refused)


def _one(world, *cells) -> list[object]:
    return list(cells)


def test_a_second_twinning_unit_over_the_same_period_is_refused(tree, world, tmp_path):
    assignments_import(path=_xlsx(tmp_path / "a.xlsx", _rows(world, tree)[:1]))
    other = services.organisation_create(
        name="Ban Dân tộc tỉnh", kind="provincial_agency", province=tree.province, actor=None
    )
    path = _xlsx(
        tmp_path / "b.xlsx",
        [
            [
                "Kết nghĩa (đơn vị → xã)",
                "23500",
                "",
                "",
                other.name,
                "",
                "",
                "01/01/2005",
                None,
                "",
                None,
            ]
        ],
    )
    messages = _refused(path)
    assert len(messages) == 1
    assert "row 4" in messages[0] and "column E (Đơn vị phụ trách)" in messages[0]
    assert "one twinning unit per commune at a time" in messages[0]
    assert "Sở Y tế tỉnh Kon Tum" in messages[0] and "Ban Dân tộc tỉnh" in messages[0]


def test_bad_rows_are_each_refused_with_their_row_column_and_rule_and_nothing_is_written(
    tree, world, tmp_path
):
    outsider = committee_member("Y Ngân", tree.dak_mar)
    rows = [
        # 4: a committee member of Đăk Mar on a village of Ngọk Wang
        [
            "Cấp ủy viên → thôn",
            "23500",
            "Kon Stiu",
            "",
            "",
            outsider.pk,
            "",
            "01/01/2010",
            None,
            "",
            None,
        ],
        # 5: a Party member of Ngọk Wang on a household of Đăk Mar
        [
            "Đảng viên → hộ",
            "23488",
            "",
            "02-001",
            "",
            world["blong"].pk,
            "",
            "01/01/2010",
            None,
            "",
            None,
        ],
        # 6: an end before the start
        [
            "Đảng viên → hộ",
            "23500",
            "",
            "01-001",
            "",
            world["blong"].pk,
            "",
            "01/01/2010",
            "31/12/2009",
            "",
            None,
        ],
        # 7: unknown person, 8: unknown household, 9: unknown village, 10: unknown commune
        ["Đảng viên → hộ", "23500", "", "01-001", "", 999999, "", "01/01/2010", None, "", None],
        [
            "Đảng viên → hộ",
            "23500",
            "",
            "09-999",
            "",
            world["thuan"].pk,
            "",
            "01/01/2010",
            None,
            "",
            None,
        ],
        [
            "Phòng, ban huyện → thôn",
            "23500",
            "Thôn Không Có",
            "",
            "Phòng Nông nghiệp huyện Đắk Hà",
            "",
            "",
            "01/01/2010",
            None,
            "",
            None,
        ],
        [
            "Kết nghĩa (đơn vị → xã)",
            "99999",
            "",
            "",
            world["net"].agency.name,
            "",
            "",
            "01/01/2010",
            None,
            "",
            None,
        ],
        # 11: a date that is not one, 12: an unknown kind
        [
            "Đảng viên → hộ",
            "23500",
            "",
            "01-002",
            "",
            world["thuan"].pk,
            "",
            "31/02/2010",
            None,
            "",
            None,
        ],
        [
            "Phân công gì đó",
            "23500",
            "",
            "01-002",
            "",
            world["thuan"].pk,
            "",
            "01/01/2010",
            None,
            "",
            None,
        ],
    ]
    messages = _refused(_xlsx(tmp_path / "bad.xlsx", rows))
    text = "\n".join(messages)
    expected = [
        ("row 4", "column C (Thôn, làng)", "committee member's village to lie in their commune"),
        ("row 5", "column D (Mã hộ)", "Party member's household to lie in their commune"),
        ("row 6", "column I (Đến ngày)", "lies before the start"),
        ("row 7", "column F (Mã người phụ trách)", "Unknown person code “999999”"),
        ("row 8", "column D (Mã hộ)", "Unknown household code “09-999”"),
        ("row 9", "column C (Thôn, làng)", "Unknown village “Thôn Không Có”"),
        ("row 10", "column B (Mã xã)", "Unknown commune code “99999”"),
        ("row 11", "column H (Từ ngày)", "Expected a date"),
        ("row 12", "column A (Loại phân công)", "Unknown kind of assignment"),
    ]
    assert len(messages) == len(expected), text
    for (row, column, rule), message in zip(expected, messages, strict=True):
        assert f"{row}," in message and column in message and rule in message, message
        assert "file bad.xlsx" in message and "sheet Phân công" in message


def test_over_the_cap_is_refused_at_the_row_that_passes_it(tree, world, tmp_path):
    for code in ("01-003", "01-004"):
        household(tree.ngok_wang, code, tree.village_a)
    rows = [
        [
            "Đảng viên → hộ",
            "23500",
            "",
            code,
            "",
            world["blong"].pk,
            "",
            "01/01/2010",
            None,
            "",
            None,
        ]
        for code in ("01-001", "01-002", "01-003", "01-004")
    ]
    messages = _refused(_xlsx(tmp_path / "cap.xlsx", rows))
    assert len(messages) == 1
    assert "row 7," in messages[0] and "at most 3 households per Party member" in messages[0]
    assert "Y Blong" in messages[0] and "01-004" in messages[0]


def test_a_unit_outside_the_users_scope_is_refused_as_unknown(tree, users, world, tmp_path):
    scope = scope_for(users.commune_officer, Action.EDIT)  # Ngọk Wang only
    rows = [
        [
            "Đảng viên → hộ",
            "23488",
            "",
            "02-001",
            "",
            world["blong"].pk,
            "",
            "01/01/2010",
            None,
            "",
            None,
        ],
        [
            "Đảng viên → hộ",
            "23600",
            "",
            "02-001",
            "",
            world["blong"].pk,
            "",
            "01/01/2010",
            None,
            "",
            None,
        ],
    ]
    messages = _refused(_xlsx(tmp_path / "scope.xlsx", rows), scope=scope)
    assert [m.split(": ", 1)[1] for m in messages] == [
        "Unknown commune code “23488”.",
        "Unknown commune code “23600”.",
    ]
    # A person of another commune, out of the officer's scope, is unknown too.
    stranger = party_member("Y Lạ", tree.dak_mar)
    rows = [
        ["Đảng viên → hộ", "23500", "", "01-001", "", stranger.pk, "", "01/01/2010", None, "", None]
    ]
    messages = _refused(_xlsx(tmp_path / "who.xlsx", rows), scope=scope)
    assert messages[0].endswith(f"Unknown person code “{stranger.pk}”.")


def test_a_file_for_another_commune_is_refused_naming_both(tree, world, tmp_path):
    path = _xlsx(tmp_path / "a.xlsx", _rows(world, tree))
    messages = _refused(path, commune=tree.dak_mar)
    assert any("Đăk Mar" in m and "Ngọk Wang" in m for m in messages)


def _template(commune, user=None) -> bytes:
    from ketnghia.core.personal_data import disclosure_open
    from ketnghia.twinning.assignment_import.template import assignments_template

    scope = EVERYTHING if user is None else scope_for(user, Action.VIEW)
    with disclosure_open(
        user=user, output="twinning.assignments_template", unit_path=commune.path
    ) as door:
        return assignments_template(commune=commune, scope=scope, disclosure=door)


def test_the_template_round_trip_changes_nothing_and_a_masked_phone_keeps_the_stored_one(
    tree, users, world, tmp_path
):
    assignments_import(path=_xlsx(tmp_path / "a.xlsx", _rows(world, tree)))
    path = tmp_path / "mau.xlsx"
    path.write_bytes(_template(tree.ngok_wang))
    report = assignments_import(path=path, commune=tree.ngok_wang)
    assert (report.unchanged, report.changed) == (5, False)
    assert report.people_unchanged == 3 and report.people_created == 0
    # A district officer's template carries the phones masked; imported back they stay.
    path.write_bytes(_template(tree.ngok_wang, users.district_officer))
    from openpyxl import load_workbook

    people = load_workbook(path)["Người phụ trách"]
    phones = [row[5] for row in people.iter_rows(min_row=2, values_only=True) if row[0]]
    assert "09*****456" in phones and "0905123456" not in phones
    report = assignments_import(path=path, scope=scope_for(users.district_officer, Action.EDIT))
    assert not report.changed
    world["hoa"].refresh_from_db()
    assert world["hoa"].phone == "0905123456"
    # Imported from another commune's page, the marked template is refused naming both.
    messages = _refused(path, commune=tree.dak_mar)
    assert "made for Xã Ngọk Wang (code 23500), not for Xã Đăk Mar (code 23488)" in messages[0]


def test_a_people_sheet_creates_party_members_that_the_rows_assign_and_again_changes_nothing(
    tree, world, tmp_path
):
    people = [
        [
            "M1",
            "Rơ Châm Ghêm",
            "nữ",
            1985,
            "Gia-rai",
            "0912345678",
            "Đảng viên",
            "23500",
            "Kon Stiu",
            "01/03/2015",
            None,
        ],
        [
            world["thuan"].pk,
            "A Thuận",
            "nam",
            1970,
            "Xơ-đăng",
            "",
            "Đảng viên",
            "23500",
            "Kon Stiu",
            "01/01/2007",
            None,
        ],
    ]
    rows = [
        [
            "Đảng viên → hộ",
            "23500",
            "",
            "01-002",
            "",
            "M1",
            "Rơ Châm Ghêm",
            "01/04/2015",
            None,
            "",
            None,
        ],
    ]
    path = _xlsx(tmp_path / "dv.xlsx", rows, people=people)
    report = assignments_import(path=path)
    assert (report.people_created, report.people_updated, report.created) == (1, 1, 1)
    new = Person.objects.get(full_name="Rơ Châm Ghêm")
    assert (new.role, new.village, new.ethnicity, new.birth_year) == (
        PersonRole.PARTY_MEMBER,
        tree.village_a,
        "10",
        1985,
    )
    assert Assignment.objects.get(household=world["homes"][1]).person == new
    world["thuan"].refresh_from_db()
    assert world["thuan"].birth_year == 1970 and world["thuan"].history.count() == 2
    again = assignments_import(path=path)
    assert not again.changed and again.people_unchanged == 2
    assert Person.objects.filter(full_name="Rơ Châm Ghêm").count() == 1


def test_the_preview_counts_new_reassigned_ended_and_unchanged_per_commune(tree, world, tmp_path):
    assignments_import(path=_xlsx(tmp_path / "a.xlsx", _rows(world, tree)))
    rows = _rows(world, tree)
    rows[1][8] = "31/12/2020"  # the office's village: ended
    rows[4] = [
        "Đảng viên → hộ",
        "23500",
        "",
        "01-002",
        "",
        world["thuan"].pk,
        "",
        "01/01/2016",
        None,
        "",
        None,
    ]
    rows.append(
        [
            "Đảng viên → hộ",
            "23488",
            "",
            "02-001",
            "",
            party_member("Y Mar", tree.dak_mar).pk,
            "",
            "01/01/2016",
            None,
            "",
            None,
        ]
    )
    report = assignments_import(path=_xlsx(tmp_path / "b.xlsx", rows), dry_run=True)
    assert (report.created, report.reassigned, report.ended, report.unchanged) == (1, 1, 1, 3)
    assert report.closed == 1 and report.needs_confirmation
    assert report.by_commune["23500"] == {
        "name": "Xã Ngọk Wang",
        "created": 0,
        "reassigned": 1,
        "ended": 1,
        "changed": 0,
        "unchanged": 3,
    }
    assert report.by_commune["23488"]["created"] == 1
    closing = next(c for c in report.changes if c["outcome"] == "reassigned")
    assert closing["closes"] == ["Y Blong (01/01/2010 → 31/12/2015)"]
    assert _counts()[0] == 4


def _command(*args: str) -> tuple[int, str, str]:
    import io

    from django.core.management import CommandError, call_command

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import-assignments", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def test_the_command_dry_runs_imports_asks_for_a_confirmation_and_refuses_with_exit_2(
    tree, users, world, tmp_path
):
    path = _xlsx(tmp_path / "a.xlsx", _rows(world, tree))
    code, out, _err = _command(str(path), "--dry-run")
    assert code == 0 and "Dry run" in out and "new assignments 5" in out
    assert _counts()[0] == 0
    code, out, _err = _command(str(path), "--actor", users.commune_officer.username)
    assert code == 0 and _counts()[:2] == (4, 2)  # and the users fixture's twinning
    assert Assignment.history.filter(history_user=users.commune_officer).count() == 4
    change = [
        [
            "Đảng viên → hộ",
            "23500",
            "",
            "01-001",
            "",
            world["thuan"].pk,
            "",
            "01/01/2012",
            None,
            "",
            None,
        ]
    ]
    reassign = _xlsx(tmp_path / "b.xlsx", change)
    code, out, err = _command(str(reassign))
    assert code == 2 and "--confirm" in err and "closes Y Blong" in out
    assert _counts()[0] == 4
    code, out, _err = _command(str(reassign), "--confirm")
    assert code == 0 and _counts()[0] == 5
    bad = _xlsx(
        tmp_path / "c.xlsx",
        [["Đảng viên → hộ", "23500", "", "01-001", "", 424242, "", "01/01/2013", None, "", None]],
    )
    errors = tmp_path / "loi.xlsx"
    code, _out, err = _command(str(bad), "--errors-out", str(errors))
    assert code == 2 and "row 4" in err and "Unknown person code “424242”" in err
    from openpyxl import load_workbook

    summary = load_workbook(errors).worksheets[0]
    assert "Unknown person code" in str(summary.cell(2, 5).value)


def test_the_page_uploads_previews_and_imports_on_confirm(
    client, tree, users, world, tmp_path, settings, django_assert_max_num_queries
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(users.commune_officer)
    network_page = client.get("/network/23500/").content.decode()
    assert 'data-testid="assignments-import"' in network_page
    template = client.get("/network/23500/assignments/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    path = _xlsx(tmp_path / "a.xlsx", _rows(world, tree))
    with path.open("rb") as handle, django_assert_max_num_queries(40):
        page = client.post("/network/23500/assignments/import/", {"file": handle})
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="import-preview"' in text
    # Waiting for the confirmation: a state of its own, no error wording beside the preview.
    assert 'data-testid="import-state"' in text and 'data-testid="import-confirm"' in text
    assert 'data-testid="import-errors"' not in text
    assert _counts()[0] == 0
    key = page.context["upload"].key
    # Another user cannot confirm someone else's upload.
    client.force_login(users.district_officer)
    assert client.post(f"/network/23500/assignments/import/{key}/confirm/").status_code == 404
    client.force_login(users.commune_officer)
    done = client.post(f"/network/23500/assignments/import/{key}/confirm/")
    assert done.status_code == 302 and _counts()[0] == 4
    assert client.post(f"/network/23500/assignments/import/{key}/confirm/").status_code == 404


def test_the_page_lists_the_problems_and_gives_the_error_workbook(
    client, tree, users, world, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(users.commune_officer)
    rows = [["Đảng viên → hộ", "23500", "", "01-001", "", 424242, "", "01/01/2010", None, "", None]]
    with _xlsx(tmp_path / "bad.xlsx", rows).open("rb") as handle:
        page = client.post("/network/23500/assignments/import/", {"file": handle})
    assert page.status_code == 400
    assert "Unknown person code" in page.content.decode() or "424242" in page.content.decode()
    key = page.context["upload"].key
    errors = client.get(f"/network/23500/assignments/import/{key}/errors.xlsx")
    assert errors.status_code == 200 and errors.content[:2] == b"PK"


def test_the_pages_are_refused_outside_the_users_scope(client, tree, users, world):
    client.force_login(users.commune_officer)  # Ngọk Wang only
    for url in ("/network/23488/assignments/template.xlsx", "/network/23488/assignments/import/"):
        assert client.get(url).status_code == 404
    client.force_login(users.twinning_member)  # no editing right at all
    assert client.get("/network/23290/assignments/import/").status_code == 403


def test_an_excel_error_value_is_named_at_its_cell(tree, world, tmp_path):
    path = _xlsx(tmp_path / "na.xlsx", _rows(world, tree)[:1])
    from openpyxl import load_workbook

    book = load_workbook(path)
    cell = book["Phân công"]["H4"]
    cell.value, cell.data_type = "#N/A", "e"
    book.save(path)
    messages = _refused(path)
    assert len(messages) == 1 and "row 4" in messages[0] and "column H (Từ ngày)" in messages[0]
    assert "#N/A" in messages[0]


@pytest.mark.parametrize(
    "name",
    ["o-xa-xfd1048576.xlsx", "ngoac-kep.csv", "nhi-phan.csv", "csv-doi-ten.xlsx", "zip-rong.xlsx"],
)
def test_hostile_files_are_refused_with_a_vietnamese_message_and_nothing_written(
    tree, world, tmp_path, name
):
    from django.utils import translation

    from ketnghia.census.tests.hostile_files import CORPUS

    hostile = next(item for item in CORPUS if item.name == name)
    with translation.override("vi"):
        messages = _refused(hostile.path(tmp_path))
    assert any(hostile.refused in message for message in messages), messages


def test_a_worker_that_runs_out_of_memory_refuses_the_upload_and_the_server_goes_on(
    client, tree, users, world, tmp_path, settings, monkeypatch
):
    from ketnghia.imports import worker

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KETNGHIA_IMPORT_WORKER_PROCESS = True
    settings.KETNGHIA_IMPORT_WORKER_MEMORY_MB = 40  # too little for the worker to start
    monkeypatch.setattr(worker, "database_url", lambda: "sqlite:///unused.sqlite3")
    client.force_login(users.commune_officer)
    with _xlsx(tmp_path / "a.xlsx", _rows(world, tree)).open("rb") as handle:
        page = client.post("/network/23500/assignments/import/", {"file": handle})
    assert page.status_code == 400 and "bộ nhớ" in page.content.decode()
    assert _counts()[0] == 0
    assert client.get("/network/23500/").status_code == 200


@pytest.mark.usefixtures("transactional_db")
def test_the_worker_process_checks_and_imports_end_to_end(client, tree, users, tmp_path, settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database another process can open (PostgreSQL here)")
    world = {
        "net": network(tree),
        "blong": party_member("Y Blong", tree.ngok_wang, tree.village_a),
        "hoa": committee_member("Y Hoa", tree.ngok_wang),
    }
    _program(tree)
    for code in ("01-001", "01-002"):
        household(tree.ngok_wang, code, tree.village_a)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KETNGHIA_IMPORT_WORKER_PROCESS = True
    client.force_login(users.commune_officer)
    with _xlsx(tmp_path / "a.xlsx", _rows(world, tree)).open("rb") as handle:
        page = client.post("/network/23500/assignments/import/", {"file": handle})
    assert page.status_code == 200, page.context["errors"]
    assert page.context["report"]["created"] == 5
    assert _counts()[0] == 0
    key = page.context["upload"].key
    assert client.post(f"/network/23500/assignments/import/{key}/confirm/").status_code == 302
    assert _counts()[0] == 4


def test_many_rows_are_written_in_bulk_with_their_history_and_a_reimport_changes_nothing(
    tree, users, tmp_path
):
    import time

    from ketnghia.households.models import Household

    _program(tree, cap=10)
    members = [party_member(f"Đảng viên {i}", tree.ngok_wang, tree.village_a) for i in range(30)]
    Household.objects.bulk_create(
        [
            Household(
                commune=tree.ngok_wang,
                village=tree.village_a,
                code=f"H{i:04d}",
                head_name=f"Chủ hộ {i}",
                unit_path=tree.village_a.path,
            )
            for i in range(300)
        ]
    )
    rows = [
        [
            "Đảng viên → hộ",
            "23500",
            "",
            f"H{i:04d}",
            "",
            members[i // 10].pk,
            "",
            date(2015, 1, 1),
            None,
            "",
            None,
        ]
        for i in range(300)
    ]
    path = _xlsx(tmp_path / "nhieu.xlsx", rows)
    started = time.perf_counter()
    report = assignments_import(path=path, actor=users.commune_officer)
    elapsed = time.perf_counter() - started
    assert report.created == 300 and Assignment.objects.count() == 300
    history = Assignment.history.filter(history_type="+")
    assert history.count() == 300
    assert set(history.values_list("history_user", flat=True)) == {users.commune_officer.pk}
    assert history.first().history_change_reason == "import: nhieu.xlsx"
    first = Assignment.objects.get(household__code="H0000")
    assert (first.person, first.commune, first.unit_path) == (
        members[0],
        tree.ngok_wang,
        tree.village_a.path,
    )
    assert (
        in_charge_on(scope=EVERYTHING, on=date(2016, 1, 1), household=first.household).party_member
        == first
    )
    assert elapsed < 30, elapsed
    # One more household for a member at the cap is still refused, in bulk or not.
    Household.objects.create(
        commune=tree.ngok_wang, village=tree.village_a, code="H9999", head_name="X"
    )
    extra = ["Đảng viên → hộ", "23500", "", "H9999", "", members[0].pk, "", date(2016, 1, 1)]
    over = _xlsx(tmp_path / "qua.xlsx", [*rows, [*extra, None, "", None]])
    messages = _refused(over)
    assert len(messages) == 1 and "at most 10 households" in messages[0]
    assert not assignments_import(path=path).changed


def test_a_zip_bomb_upload_is_refused_and_the_server_goes_on(
    client, tree, users, tmp_path, settings
):
    from django.utils import translation

    from ketnghia.imports.tests.bombs import write_bomb
    from ketnghia.imports.tests.test_archive import address_space_limit

    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(users.commune_officer)
    bomb = write_bomb(tmp_path / "phan-cong.xlsx")
    with (
        translation.override("vi"),
        address_space_limit(512 << 20),
        bomb.open("rb") as handle,
    ):
        page = client.post("/network/23500/assignments/import/", {"file": handle})
    assert page.status_code == 400
    (error,) = page.context["errors"]
    assert error["file"] == "phan-cong.xlsx" and "giải nén" in error["message"]
    assert _counts()[0] == 0
    assert client.get("/network/23500/").status_code == 200
