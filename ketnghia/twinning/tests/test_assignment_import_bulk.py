"""The assignments import's set-based write: new people, reassignments and their history
rows in a few statements whatever the number of rows, every rule kept."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketnghia.households.models import Household
from ketnghia.twinning import services
from ketnghia.twinning.assignment_import import assignments_import
from ketnghia.twinning.models import Assignment, Person, PersonRole
from ketnghia.twinning.tests.test_assignment_import import _program, _refused, _xlsx

pytestmark = pytest.mark.django_db

PEOPLE = [
    [f"M{n}", f"Đảng viên {n}", "nam", 1980, "Xơ-đăng", "", "Đảng viên", "23500", "", "01/01/2010"]
    for n in range(8)
]


def _households(tree, count: int) -> None:
    Household.objects.bulk_create(
        [
            Household(
                commune=tree.ngok_wang,
                village=tree.village_a,
                code=f"H{i:04d}",
                head_name=f"Chủ hộ {i}",
                unit_path=tree.village_a.path,
            )
            for i in range(count)
        ]
    )


def _row(household: int, person: object, start: date) -> list[object]:
    return ["Đảng viên → hộ", "23500", "", f"H{household:04d}", "", person, "", start, None]


def _reassign(tree, tmp_path, count: int) -> tuple[int, object]:
    """Assign `count` households to 8 new members, then each to the next member; return the
    queries of the reassignment and its report."""
    _households(tree, count)
    first = [_row(i, f"M{i % 8}", date(2015, 1, 1)) for i in range(count)]
    made = assignments_import(path=_xlsx(tmp_path / f"a{count}.xlsx", first, people=PEOPLE))
    assert (made.people_created, made.created) == (8, count)
    ids = dict(Person.objects.values_list("file_code", "pk"))
    again = [_row(i, ids[f"M{(i + 1) % 8}"], date(2020, 1, 1)) for i in range(count)]
    path = _xlsx(tmp_path / f"b{count}.xlsx", again)
    with CaptureQueriesContext(connection) as queries:
        report = assignments_import(path=path, confirm=True)
    return len(queries), report


def test_new_people_are_written_in_bulk_with_their_history(tree, users, tmp_path):
    _program(tree, cap=10)
    _households(tree, 16)
    rows = [_row(i, f"M{i % 8}", date(2015, 1, 1)) for i in range(16)]
    path = _xlsx(tmp_path / "dv.xlsx", rows, people=PEOPLE)
    report = assignments_import(path=path, actor=users.commune_officer)
    assert (report.people_created, report.created) == (8, 16)
    people = Person.objects.filter(file_code__startswith="M")
    assert people.count() == 8
    assert {p.role for p in people} == {PersonRole.PARTY_MEMBER}
    assert {p.unit_path for p in people} == {tree.ngok_wang.path}
    history = Person.history.filter(history_type="+", file_code__startswith="M")
    assert history.count() == 8
    assert {(h.history_user_id, h.history_change_reason) for h in history} == {
        (users.commune_officer.pk, "import: dv.xlsx")
    }
    assert Assignment.objects.filter(person__file_code="M3").count() == 2


def test_a_reassignment_closes_every_stored_one_the_day_before_in_a_few_statements(
    tree, tmp_path, monkeypatch
):
    _program(tree, cap=10)
    reported: list[list[int]] = []
    report_coverage = services.coverage_changed

    def spy(*, commune_ids):
        reported.append(list(commune_ids))
        report_coverage(commune_ids=commune_ids)

    monkeypatch.setattr(services, "coverage_changed", spy)
    small, _report = _reassign(tree, tmp_path, 16)
    # The derived figures are told once per import, not once per row written.
    assert reported == [[tree.ngok_wang.pk], [tree.ngok_wang.pk]]
    Assignment.objects.all().delete()
    Household.objects.all().delete()
    Person.objects.all().delete()
    large, report = _reassign(tree, tmp_path, 64)
    assert (report.reassigned, report.closed) == (64, 64)
    # Four times the rows, about the same statements (row by row: several per row).
    assert large <= small + 8, (small, large)
    closed = Assignment.objects.filter(start_date=date(2015, 1, 1))
    assert set(closed.values_list("end_date", flat=True)) == {date(2020, 1, 1) - timedelta(1)}
    assert Assignment.objects.filter(end_date__isnull=True).count() == 64
    ended = Assignment.history.filter(history_type="~", history_change_reason="import: b64.xlsx")
    assert ended.count() == 64
    assert set(ended.values_list("end_date", flat=True)) == {date(2019, 12, 31)}


def test_the_cap_and_one_member_per_household_still_refuse_the_file(tree, tmp_path):
    _program(tree, cap=2)
    _households(tree, 3)
    over = [_row(i, "M0", date(2015, 1, 1)) for i in range(3)]
    messages = _refused(_xlsx(tmp_path / "qua.xlsx", over, people=PEOPLE[:1]))
    assert len(messages) == 1 and "at most 2 households" in messages[0]
    twice = [_row(0, "M0", date(2015, 1, 1)), _row(0, "M1", date(2015, 1, 1))]
    assert _refused(_xlsx(tmp_path / "hai.xlsx", twice, people=PEOPLE[:2]))
    assert not Assignment.objects.exists() and not Person.objects.exists()
