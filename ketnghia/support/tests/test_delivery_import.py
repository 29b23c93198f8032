"""The delivery import (a spec of the one pipeline): the cycle's template filled in, real .xlsx
files through openpyxl; every bad input of issue 18 refused with nothing written, located at
file, sheet, row and column; a re-import changes nothing."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from ketnghia.accounts.models import Role
from ketnghia.accounts.services import user_create
from ketnghia.core.errors import InvalidInput, NotFound
from ketnghia.imports.confirm import ConfirmationNeeded
from ketnghia.imports.mark import file_mark
from ketnghia.support import services
from ketnghia.support.delivery_import.pipeline import DELIVERIES, delivery_import
from ketnghia.support.delivery_import.template import DATA_SHEET, delivery_template
from ketnghia.support.models import Cycle, CycleState, Delivery
from ketnghia.support.tests.conftest import open_cycle

pytestmark = pytest.mark.django_db
TODAY = date(2016, 5, 1)


def _approved(setting, tree, users, **kwargs) -> Cycle:
    cycle = open_cycle(setting, tree, users, **kwargs)
    services.cycle_propose(cycle=cycle, actor=users.commune_officer)
    services.cycle_submit(cycle=cycle, actor=users.commune_officer)
    return services.cycle_approve(cycle=cycle, actor=users.district_officer, on=date(2016, 4, 2))


def _rows(content: bytes) -> tuple[openpyxl.Workbook, list[list]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[DATA_SHEET]
    return book, [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]


def _filled(tmp_path: Path, cycle: Cycle, fill, name: str = "cap-phat.xlsx") -> Path:
    """The cycle's template, with `fill(header, rows)` editing its rows."""
    book, rows = _rows(delivery_template(cycle))
    header, data = rows[0], rows[1:]
    fill(header, data)
    sheet = book[DATA_SHEET]
    sheet.delete_rows(4, sheet.max_row)
    for row in data:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _set(header, row, column: str, value) -> None:
    row[header.index(column)] = value


def _deliver_all(quantity=None, day=date(2016, 4, 10)):
    def fill(header, rows):
        for row in rows:
            _set(
                header, row, "Số lượng đã nhận", quantity or row[header.index("Định mức được cấp")]
            )
            _set(header, row, "Ngày cấp (dd/mm/yyyy)", day)

    return fill


def _state() -> tuple:
    return (
        list(
            Delivery.objects.order_by("pk").values_list(
                "pk", "delivered_quantity", "delivered_on", "difference_note"
            )
        ),
        Delivery.history.count(),
        Cycle.history.count(),
        list(Cycle.objects.values_list("state")),
    )


def _refused(path, cycle, actor, **kwargs) -> list[str]:
    before = _state()
    with pytest.raises(InvalidInput) as caught:
        delivery_import(path=path, cycle=cycle, actor=actor, today=TODAY, **kwargs)
    assert _state() == before, "a refused file wrote something"
    return [str(p) for p in caught.value.problems]


def test_the_template_is_prefilled_marked_and_in_vietnamese(setting, tree, users, tmp_path):
    cycle = _approved(setting, tree, users)
    content = delivery_template(cycle)
    _book, rows = _rows(content)
    assert rows[0][:4] == ["Thôn, làng", "Mã hộ", "Họ tên chủ hộ", "Định mức được cấp"]
    codes = {row[1]: row for row in rows[1:]}
    assert set(codes) == {"A", "D"}
    assert codes["A"][3] == 3
    assert codes["A"][6] == "Ngân sách tỉnh"  # the fund's source, in Vietnamese
    path = tmp_path / "mau.xlsx"
    path.write_bytes(content)
    mark = file_mark(path)
    assert mark.cycle == str(cycle.pk)
    assert mark.commune == tree.ngok_wang.code


def test_a_filled_template_records_the_deliveries_and_the_cycle_is_delivered(
    setting, tree, users, tmp_path
):
    cycle = _approved(setting, tree, users)
    path = _filled(tmp_path, cycle, _deliver_all())
    preview = delivery_import(
        path=path, cycle=cycle, actor=users.commune_officer, today=TODAY, dry_run=True
    )
    assert (preview.recorded, preview.added, preview.would_change) == (2, 0, True)
    assert Delivery.objects.filter(delivered_quantity__isnull=False).count() == 0
    report = delivery_import(path=path, cycle=cycle, actor=users.commune_officer, today=TODAY)
    assert report.recorded == 2 and report.cycle_delivered
    cycle.refresh_from_db()
    assert cycle.state == CycleState.DELIVERED
    assert cycle.delivered_on == date(2016, 4, 10)
    a = Delivery.objects.get(cycle=cycle, household__code="A")
    assert a.delivered_quantity == Decimal("3.00") and a.delivered_value == 3_000_000
    history = a.history.first()
    assert history.history_type == "~" and "cap-phat.xlsx" in history.history_change_reason
    assert history.history_user == users.commune_officer
    # The same file again changes nothing.
    before = _state()
    again = delivery_import(path=path, cycle=cycle, actor=users.commune_officer, today=TODAY)
    assert (again.recorded, again.corrected, again.unchanged, again.would_change) == (
        0,
        0,
        2,
        False,
    )
    assert _state() == before


def test_a_correction_before_reconciliation_is_an_update(setting, tree, users, tmp_path):
    cycle = _approved(setting, tree, users)
    delivery_import(
        path=_filled(tmp_path, cycle, _deliver_all()),
        cycle=cycle,
        actor=users.commune_officer,
        today=TODAY,
    )

    def fewer(header, rows):
        for row in rows:
            if row[1] == "A":
                _set(header, row, "Số lượng đã nhận", 2)
                _set(header, row, "Giải trình chênh lệch", "Một con chết trước khi giao")

    report = delivery_import(
        path=_filled(tmp_path, cycle, fewer, "sua.xlsx"),
        cycle=cycle,
        actor=users.commune_officer,
        today=TODAY,
        confirm=True,
    )
    assert report.corrected == 1
    a = Delivery.objects.get(cycle=cycle, household__code="A")
    assert a.delivered_quantity == Decimal("2.00") and a.delivered_value == 2_000_000
    assert a.difference_note == "Một con chết trước khi giao"


def _bad(header, rows, column, value, code="A"):
    _deliver_all()(header, rows)
    for row in rows:
        if row[1] == code:
            _set(header, row, column, value)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("Số lượng đã nhận", 4, "above the package's cap of 3"),
        ("Số lượng đã nhận", -1, "cannot be negative"),
        ("Số lượng đã nhận", "hai con", "hai con"),
        ("Ngày cấp (dd/mm/yyyy)", date(2016, 3, 20), "before its decision of 01/04/2016"),
        ("Ngày cấp (dd/mm/yyyy)", date(2016, 6, 1), "in the future"),
        ("Nguồn kinh phí", "Quỹ bí ẩn", "Unknown fund source “Quỹ bí ẩn”"),
        ("Nguồn kinh phí", "Ngân sách trung ương", "paid from the Provincial budget"),
    ],
)
def test_bad_cells_are_refused_located_with_nothing_written(
    setting, tree, users, tmp_path, column, value, expected
):
    cycle = _approved(setting, tree, users)
    path = _filled(tmp_path, cycle, lambda h, r: _bad(h, r, column, value))
    problems = _refused(path, cycle, users.commune_officer)
    assert any(expected in p for p in problems), problems
    letter = "ABCDEFGHI"[
        [
            "Thôn, làng",
            "Mã hộ",
            "Họ tên chủ hộ",
            "Định mức được cấp",
            "Số lượng đã nhận",
            "Ngày cấp (dd/mm/yyyy)",
            "Nguồn kinh phí",
        ].index(column)
    ]
    assert any("cap-phat.xlsx" in p and DATA_SHEET in p and f"{letter} (" in p for p in problems)


def test_the_same_household_twice_is_refused(setting, tree, users, tmp_path):
    cycle = _approved(setting, tree, users)

    def twice(header, rows):
        _deliver_all()(header, rows)
        rows.append(list(rows[0]))

    problems = _refused(_filled(tmp_path, cycle, twice), cycle, users.commune_officer)
    assert any("once per cycle" in p and "row 4" in p for p in problems), problems


def test_a_household_outside_the_target_needs_a_reason(setting, tree, users, tmp_path):
    cycle = _approved(setting, tree, users)
    b = ["Thôn A", "B", "", None, 1, date(2016, 4, 10), None, None, None]

    def extra(header, rows):
        _deliver_all()(header, rows)
        rows.append(list(b))

    problems = _refused(_filled(tmp_path, cycle, extra), cycle, users.commune_officer)
    assert any("outside the package's target" in p and "needs a reason" in p for p in problems)

    def extra_with_reason(header, rows):
        _deliver_all()(header, rows)
        rows.append([*b[:7], "Hộ bị lũ cuốn mất chuồng trại", None])

    path = _filled(tmp_path, cycle, extra_with_reason, "them.xlsx")
    with pytest.raises(ConfirmationNeeded) as caught:
        delivery_import(path=path, cycle=cycle, actor=users.commune_officer, today=TODAY)
    assert caught.value.report.added == 1
    report = delivery_import(
        path=path, cycle=cycle, actor=users.commune_officer, today=TODAY, confirm=True
    )
    assert report.added == 1
    added = Delivery.objects.get(cycle=cycle, household__code="B")
    assert not added.in_rule and added.override_reason == "Hộ bị lũ cuốn mất chuồng trại"
    assert added.delivered_quantity == Decimal("1.00")
    assert added.history.first().history_change_reason == "Hộ bị lũ cuốn mất chuồng trại"


def test_a_file_of_another_cycle_or_commune_is_refused(setting, tree, users, tmp_path):
    cycle = _approved(setting, tree, users)
    other = open_cycle(setting, tree, users, name="Đợt 2")
    services.cycle_propose(cycle=other, actor=users.commune_officer)
    path = _filled(tmp_path, other, _deliver_all())
    problems = _refused(path, cycle, users.commune_officer)
    assert any(f"made for delivery cycle {other.pk}" in p for p in problems)


def test_a_cycle_out_of_reach_is_not_found_and_a_draft_is_refused(setting, tree, users, tmp_path):
    cycle = _approved(setting, tree, users)
    path = _filled(tmp_path, cycle, _deliver_all())
    outsider = user_create(
        username="commune23488",
        password="Kh0ng-d0an-duoc",
        role=Role.COMMUNE_OFFICER,
        jurisdiction=tree.dak_mar,
    )
    with pytest.raises(NotFound):
        delivery_import(path=path, cycle=cycle, actor=outsider, today=TODAY)
    draft = open_cycle(setting, tree, users, name="Nháp")
    problems = _refused(path, draft, users.commune_officer)
    assert any("once the district has approved" in p or "made for" in p for p in problems)


def test_the_spec_is_registered():
    from ketnghia.imports.spec import spec_get

    assert spec_get("support.deliveries") is DELIVERIES


# --- the field form and its CSV export ------------------------------------------------------


def _xml(content: bytes) -> str:
    from pyxform.xls2xform import convert

    return convert(xlsform=content, file_type=".xlsx").xform


def test_the_xlsform_converts_with_pyxform_and_records_the_cycle(setting, tree, users):
    from ketnghia.support.delivery_import.xlsform import delivery_xlsform

    cycle = _approved(setting, tree, users)
    xml = _xml(delivery_xlsform(cycle))
    for name in ("village", "household", "quantity", "delivered_on", "override_reason"):
        assert f"/delivery/{name}" in xml, name
    assert f"'{cycle.pk}'" in xml and f"'{tree.ngok_wang.code}'" in xml
    assert "'province'" in xml  # the fund's source, in every submission
    assert "date('2016-04-01')" in xml and ". &lt;= 3.00" in xml
    assert "instance('households')" in xml
    assert "★" in xml  # the approved recipients marked


def _export(tmp_path: Path, cycle: Cycle, rows: list[dict], name="odk.csv") -> Path:
    """The submissions as ODK Central exports them: grouped names joined by "-", ISO dates."""
    header = [
        "SubmissionDate",
        "start",
        "end",
        "delivery-cycle",
        "delivery-commune",
        "delivery-source",
        "delivery-village",
        "delivery-household",
        "delivery-listed",
        "delivery-entitled",
        "delivery-quantity",
        "delivery-delivered_on",
        "delivery-override_reason",
        "delivery-difference_note",
        "meta-instanceID",
        "KEY",
    ]
    lines = [",".join(header)]
    for index, values in enumerate(rows):
        base = {
            "delivery-cycle": str(cycle.pk),
            "delivery-commune": cycle.commune.code,
            "delivery-source": "province",
            "meta-instanceID": f"uuid:{index}",
            "KEY": f"uuid:{index}",
        }
        base.update(values)
        lines.append(",".join(str(base.get(column, "")) for column in header))
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_field_forms_csv_export_imports_through_the_same_spec(setting, tree, users, tmp_path):
    cycle = _approved(setting, tree, users)
    rows = [
        {
            "delivery-household": "A",
            "delivery-quantity": "3",
            "delivery-delivered_on": "2016-04-12",
        },
        {
            "delivery-household": "D",
            "delivery-quantity": "1",
            "delivery-delivered_on": "2016-04-12",
            "delivery-difference_note": "Hộ chỉ nhận 1 con",
        },
    ]
    path = _export(tmp_path, cycle, rows)
    report = delivery_import(path=path, cycle=cycle, actor=users.commune_officer, today=TODAY)
    assert report.recorded == 2 and report.cycle_delivered
    d = Delivery.objects.get(cycle=cycle, household__code="D")
    assert d.delivered_quantity == Decimal("1.00") and d.difference_note == "Hộ chỉ nhận 1 con"
    before = _state()
    again = delivery_import(path=path, cycle=cycle, actor=users.commune_officer, today=TODAY)
    assert not again.would_change and _state() == before


def test_a_csv_row_of_another_commune_or_cycle_is_refused(setting, tree, users, tmp_path):
    cycle = _approved(setting, tree, users)
    rows = [
        {
            "delivery-household": "A",
            "delivery-quantity": "3",
            "delivery-delivered_on": "2016-04-12",
            "delivery-commune": tree.dak_mar.code,
        },
        {
            "delivery-household": "D",
            "delivery-quantity": "1",
            "delivery-delivered_on": "2016-04-12",
            "delivery-cycle": "999",
        },
    ]
    problems = _refused(_export(tmp_path, cycle, rows), cycle, users.commune_officer)
    assert any("row 2" in p and f"commune {tree.dak_mar.code}" in p for p in problems), problems
    assert any("row 3" in p and "cycle 999" in p for p in problems), problems


# --- the command line -----------------------------------------------------------------------


def test_the_cli_writes_the_template_previews_imports_and_refuses_with_an_error_workbook(
    setting, tree, users, tmp_path
):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    cycle = _approved(setting, tree, users)
    out = tmp_path / "mau.xlsx"
    call_command("support", "deliveries-template", "--cycle", str(cycle.pk), "--out", str(out))
    assert file_mark(out).cycle == str(cycle.pk)
    form = tmp_path / "form.xlsx"
    call_command(
        "support", "deliveries-template", "--cycle", str(cycle.pk), "--out", str(form), "--xlsform"
    )
    assert "/delivery/quantity" in _xml(form.read_bytes())
    path = _filled(tmp_path, cycle, _deliver_all())
    text = StringIO()
    call_command(
        "support",
        "deliveries-import",
        str(path),
        "--cycle",
        str(cycle.pk),
        "--dry-run",
        stdout=text,
    )
    assert "recorded 2" in text.getvalue() and "Dry run" in text.getvalue()
    assert not Delivery.objects.filter(delivered_quantity__isnull=False).exists()
    bad = _filled(tmp_path, cycle, lambda h, r: _bad(h, r, "Số lượng đã nhận", 9), "sai.xlsx")
    errors = tmp_path / "loi.xlsx"
    with pytest.raises(CommandError):
        call_command(
            "support",
            "deliveries-import",
            str(bad),
            "--cycle",
            str(cycle.pk),
            "--errors-out",
            str(errors),
            stdout=StringIO(),
            stderr=StringIO(),
        )
    book = openpyxl.load_workbook(errors)
    assert any("cap" in str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r)
    text = StringIO()
    call_command(
        "support",
        "deliveries-import",
        str(path),
        "--cycle",
        str(cycle.pk),
        "--actor",
        users.commune_officer.username,
        stdout=text,
    )
    cycle.refresh_from_db()
    assert cycle.state == CycleState.DELIVERED
