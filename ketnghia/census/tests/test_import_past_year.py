"""Correcting a past year: the census template of a revision of 2015 lists that year's
members, and the import leaves out (and keeps) persons born after the round's year instead of
refusing the whole file."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from ketnghia.census import services
from ketnghia.census.importing import census_import
from ketnghia.census.importing.preview import preview_for_page, preview_lines
from ketnghia.census.importing.template import MEMBERS_SHEET, census_template
from ketnghia.census.models import CensusRound
from ketnghia.census.tests.factories import approve, make_round
from ketnghia.core.personal_data import disclosure_open
from ketnghia.households.models import Household, Member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _revision_of_2015(tree, users) -> CensusRound:
    """Ngọk Wang's approved 2015 round, reopened today; each household gained a child since."""
    approved = approve(
        make_round(
            tree.ngok_wang, 2015, "vn-2011", {"A": 300_000, "B": 900_000}, village=tree.village_a
        ),
        users.commune_officer,
    )
    for code, child, born in (("A", "Y Nhung", 2012), ("A", "A Tùng", 2019), ("B", "Y Lan", 2021)):
        Member.objects.create(
            household=Household.objects.get(code=code),
            full_name=child,
            sex="female" if child.startswith("Y") else "male",
            birth_year=born,
            ethnicity="14",
            relation="child",
        )
    return services.census_round_revise(census_round=approved, actor=users.commune_officer)


def _template(census_round: CensusRound, path: Path) -> Path:
    content = census_template(
        census_round=census_round,
        disclosure=disclosure_open(user=None, output="census.template_xlsx"),
    )
    path.write_bytes(content)
    return path


def _members_listed(path: Path) -> list[tuple[str, str, int]]:
    sheet = openpyxl.load_workbook(path)[MEMBERS_SHEET]
    return [
        (row[0], row[1], row[3]) for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]
    ]


def _registry() -> list[tuple[str, str, int | None]]:
    return sorted(Member.objects.values_list("household__code", "full_name", "birth_year"))


def test_the_template_of_a_2015_revision_lists_2015s_members_and_imports_back_unchanged(
    tree, users, tmp_path
):
    revision = _revision_of_2015(tree, users)
    path = _template(revision, tmp_path / "2015.xlsx")
    # Those born after 2015 were not members in 2015's census.
    assert sorted(_members_listed(path)) == [
        ("A", "Nguyễn Văn An", 1980),
        ("A", "Y Nhung", 2012),
        ("B", "A Blương", 1980),
    ]
    before = _registry()
    report = census_import(census_round=revision, path=path)
    assert (report.members, report.member_households_changed, report.members_born_later) == (
        3,
        0,
        0,
    )
    # The children born since stay in the registry: a correction of 2015 does not remove them.
    assert _registry() == before


def test_members_born_after_the_rounds_year_are_left_out_with_a_note_and_kept(
    tree, users, tmp_path
):
    revision = _revision_of_2015(tree, users)
    path = _template(revision, tmp_path / "2015.xlsx")
    book = openpyxl.load_workbook(path)
    members = book[MEMBERS_SHEET]
    # Today's registry pasted in (as a template made from it had it), and one real correction.
    members.append(["A", "A Tùng", "nam", 2019, "Xơ Đăng", "con", None])
    members.append(["B", "Y Lan", "nữ", 2021, "Xơ Đăng", "con", None])
    members.cell(3, 4, 2011)  # Y Nhung was born in 2011, not 2012
    book.save(path)
    before = dict(((c, n), b) for c, n, b in _registry())

    preview = census_import(census_round=revision, path=path, dry_run=True)
    assert (preview.members_born_later, preview.members_born_later_rows) == (
        2,
        [f"{MEMBERS_SHEET} 5", f"{MEMBERS_SHEET} 6"],
    )
    (note,) = [line for line in preview_lines(preview) if "born after" in line]
    assert "2 persons" in note and "2015" in note and f"{MEMBERS_SHEET} 5" in note
    assert preview_for_page(preview.as_dict())["notes"] == [note]

    report = census_import(census_round=revision, path=path)
    assert (report.member_households_changed, report.members_born_later) == (1, 2)
    after = dict(((c, n), b) for c, n, b in _registry())
    assert after == {**before, ("A", "Y Nhung"): 2011}
    # The one changed household was replaced as 2015 saw it; its 2019 child kept its row.
    assert Member.objects.filter(full_name="A Tùng").count() == 1


def test_a_birth_in_the_future_is_still_refused(tree, users, tmp_path):
    from ketnghia.core.errors import InvalidInput

    revision = _revision_of_2015(tree, users)
    path = _template(revision, tmp_path / "2015.xlsx")
    book = openpyxl.load_workbook(path)
    book[MEMBERS_SHEET].append(["A", "Chưa sinh", "nam", 2999, "Xơ Đăng", "con", None])
    book.save(path)
    with pytest.raises(InvalidInput) as refused:
        census_import(census_round=revision, path=path)
    (problem,) = refused.value.problems
    assert (problem.location.sheet, problem.location.row) == (MEMBERS_SHEET, 5)


def test_the_cli_dry_run_says_which_members_it_leaves_out(tree, users, tmp_path):
    revision = _revision_of_2015(tree, users)
    path = _template(revision, tmp_path / "2015.xlsx")
    book = openpyxl.load_workbook(path)
    book[MEMBERS_SHEET].append(["B", "Y Lan", "nữ", 2021, "Xơ Đăng", "con", None])
    book.save(path)
    out = io.StringIO()
    call_command(
        "import-census",
        str(path),
        "--commune",
        tree.ngok_wang.code,
        "--year",
        "2015",
        "--dry-run",
        stdout=out,
    )
    assert "1 persons of the members sheet were born after 2015" in out.getvalue()
