"""Who a people-sheet row is: its number, or the code of its own an earlier import stored.

Namesakes born the same year are common in a commune ("Y Thu", 1985): name and birth year
never merge a row into a stored person, they only suggest in the preview the number to
write; a stored person's village, phone and ethnicity change only from a row that names
them by number or by their stored code.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from ketnghia.core.errors import InvalidInput
from ketnghia.imports.confirm import ConfirmationNeeded
from ketnghia.twinning.assignment_import import assignments_import
from ketnghia.twinning.assignment_import.spec import preview_lines
from ketnghia.twinning.models import Assignment, Person
from ketnghia.twinning.tests.network import household, network, party_member
from ketnghia.twinning.tests.test_assignment_import import _program, _xlsx

pytestmark = pytest.mark.django_db

PEOPLE_SHEET = "Người phụ trách"


@pytest.fixture
def commune(tree):
    """Ngọk Wang with two villages and a stored Party member Y Thu, born 1985, of Kon Stiu."""
    _program(tree)
    net = network(tree)
    stored = party_member(
        "Y Thu", tree.ngok_wang, tree.village_a, birth_year=1985, phone="0905111222"
    )
    homes = [household(tree.ngok_wang, code, tree.village_a) for code in ("01-001", "01-002")]
    return {"net": net, "stored": stored, "homes": homes}


def _person_row(code: object, village: str, *, name: str = "Y Thu", phone: str = "0912345678"):
    return [
        code,
        name,
        "nữ",
        1985,
        "Gia-rai",
        phone,
        "Đảng viên",
        "23500",
        village,
        "01/03/2015",
        None,
    ]


def _assign(code: object, home: str, name: str = "Y Thu") -> list[object]:
    return ["Đảng viên → hộ", "23500", "", home, "", code, name, "01/04/2015", None, "", None]


def test_a_new_namesake_of_another_village_is_created_not_merged(tmp_path, tree, commune):
    stored = commune["stored"]
    village_a2 = commune["net"].village_a2
    path = _xlsx(
        tmp_path / "dang-vien.xlsx",
        [_assign("M1", "01-002")],
        people=[_person_row("M1", village_a2.name)],
    )
    preview = assignments_import(path=path, dry_run=True)
    assert (preview.people_created, preview.people_updated) == (1, 0)
    (note,) = preview.people_suggestions
    assert "dang-vien.xlsx" in note and PEOPLE_SHEET in note and "row 2" in note
    assert f"number {stored.pk}" in note and tree.village_a.name in note
    assert preview.needs_confirmation
    assert any(note in line for line in preview_lines(preview))
    with translation.override("vi"):
        (note,) = assignments_import(path=path, dry_run=True).people_suggestions
    assert "dang-vien.xlsx" in note and "dòng 2" in note and PEOPLE_SHEET in note
    assert f"trùng họ tên và năm sinh với 1 người đã lưu: Y Thu (số {stored.pk}" in note
    with pytest.raises(ConfirmationNeeded):
        assignments_import(path=path)
    assert Person.objects.count() == 1 and not Assignment.objects.exists()
    report = assignments_import(path=path, confirm=True)
    assert (report.people_created, report.people_updated, report.created) == (1, 0, 1)
    stored.refresh_from_db()
    assert (stored.village, stored.phone, stored.ethnicity) == (tree.village_a, "0905111222", "14")
    assert stored.history.count() == 1
    new = Person.objects.exclude(pk=stored.pk).get(full_name="Y Thu")
    assert (new.village, new.phone, new.file_code) == (village_a2, "0912345678", "M1")
    assert Assignment.objects.get().person == new
    # Imported again, the code finds the new person: nothing changes, nothing to confirm.
    again = assignments_import(path=path)
    assert not again.changed and not again.people_suggestions
    assert Person.objects.filter(full_name="Y Thu").count() == 2


def test_two_stored_namesakes_are_listed_and_neither_is_touched(tmp_path, tree, commune):
    village_a2 = commune["net"].village_a2
    other = party_member("Y  Thu", tree.ngok_wang, village_a2, birth_year=1985)
    path = _xlsx(
        tmp_path / "dv.xlsx",
        [_assign("M7", "01-001")],
        people=[_person_row("M7", tree.village_a.name)],
    )
    preview = assignments_import(path=path, dry_run=True)
    (note,) = preview.people_suggestions
    assert "2 stored people" in note
    assert f"number {commune['stored'].pk}" in note and f"number {other.pk}" in note
    assignments_import(path=path, confirm=True)
    assert Person.objects.filter(full_name__in=["Y Thu", "Y  Thu"]).count() == 3
    for person in (commune["stored"], other):
        assert person.history.count() == 1  # never updated


def test_a_stored_code_given_to_another_person_is_refused_and_nothing_written(
    tmp_path, tree, commune
):
    first = _xlsx(
        tmp_path / "dot-1.xlsx",
        [_assign("M1", "01-002", "A Nang")],
        people=[_person_row("M1", tree.village_a.name, name="A Nang")],
    )
    assignments_import(path=first)
    nang = Person.objects.get(full_name="A Nang")
    second = _xlsx(
        tmp_path / "dot-2.xlsx",
        [_assign("M1", "01-001", "Y Blong")],
        people=[_person_row("M1", tree.village_a.name, name="Y Blong", phone="0988777666")],
    )
    with pytest.raises(InvalidInput) as refused:
        assignments_import(path=second)
    problem = refused.value.problems[0]
    assert (problem.location.file, problem.location.sheet, problem.location.row) == (
        "dot-2.xlsx",
        PEOPLE_SHEET,
        2,
    )
    assert problem.location.column == "A (Mã người)"
    assert f"number {nang.pk}" in str(problem) and "Y Blong" in str(problem)
    nang.refresh_from_db()
    assert (nang.full_name, nang.phone) == ("A Nang", "0912345678")
    assert Assignment.objects.count() == 1 and not Person.objects.filter(full_name="Y Blong")


def test_a_row_found_by_its_stored_code_may_update_the_person(tmp_path, tree, commune):
    people = [_person_row("M1", tree.village_a.name, name="A Nang")]
    path = _xlsx(tmp_path / "a.xlsx", [_assign("M1", "01-002", "A Nang")], people=people)
    assignments_import(path=path)
    people = [_person_row("M1", commune["net"].village_a2.name, name="A Nang", phone="0977")]
    path = _xlsx(tmp_path / "b.xlsx", [_assign("M1", "01-002", "A Nang")], people=people)
    report = assignments_import(path=path)
    assert (report.people_created, report.people_updated) == (0, 1)
    nang = Person.objects.get(full_name="A Nang")
    assert (nang.village, nang.phone) == (commune["net"].village_a2, "0977")


def test_a_namesake_of_the_same_village_is_suggested_by_number(tmp_path, tree, commune):
    stored = commune["stored"]
    path = _xlsx(
        tmp_path / "dv.xlsx",
        [_assign("M3", "01-001")],
        people=[_person_row("M3", tree.village_a.name)],
    )
    (note,) = assignments_import(path=path, dry_run=True).people_suggestions
    assert "has the name, birth year and village" in note
    assert f"write number {stored.pk} instead of “M3”" in note
    with pytest.raises(ConfirmationNeeded):
        assignments_import(path=path)
    assert Person.objects.count() == 1
    stored.refresh_from_db()
    assert stored.phone == "0905111222" and stored.history.count() == 1


def test_people_inserted_in_bulk_without_the_code_get_an_empty_one(tree):
    """The demo loader writes people with `core.bulk.insert_rows`, naming its own columns."""
    from datetime import date

    from ketnghia.core.bulk import insert_rows

    fields = ["full_name", "sex", "ethnicity", "phone", "role", "active_from", "unit_path"]
    row = ("Y Thu", "female", "14", "", "party_member", date(2007, 1, 1), tree.ngok_wang.path)
    assert insert_rows(Person, fields, [row]) == 1
    assert Person.objects.get().file_code == ""
