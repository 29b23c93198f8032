"""A village file never moves a village to another commune, and the move service refuses a
village that holds data: the households' commune, their census rounds and assignments would
stay with the old commune while their paths left for the new one."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from ketnghia.census.models import CensusRound
from ketnghia.core.errors import InvalidInput
from ketnghia.geo.importers import villages_import
from ketnghia.geo.models import Unit
from ketnghia.geo.services import unit_move
from ketnghia.geo.tests.helpers import write_csv, write_xlsx
from ketnghia.households.models import Household
from ketnghia.indicators import services as indicator_services
from ketnghia.indicators.tests import fixture
from ketnghia.twinning.models import Assignment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _commune_and_path_agree() -> None:
    """Every row naming a commune lies under that commune's path (the scope agrees)."""
    households = list(Household.objects.select_related("commune", "village"))
    assert households
    for row in households:
        assert row.unit_path.startswith(row.commune.path), row
        if row.village_id:
            assert row.village.parent_id == row.commune_id, row
    for row in CensusRound.objects.select_related("commune"):
        assert row.unit_path == row.commune.path, row
    assignments = list(Assignment.objects.select_related("commune"))
    assert assignments
    for row in assignments:
        assert row.unit_path.startswith(row.commune.path), row


def test_a_village_listed_under_another_communes_code_is_refused_and_nothing_moves(
    tree, users, tmp_path: Path
) -> None:
    fixture.small_program(tree, users)
    indicator_services.aggregates_rebuild()
    village = tree.village_a  # Ngọk Wang's, with households, rounds and assignments
    households = Household.objects.filter(village=village).count()
    assert households
    before = (village.path, Unit.history.count(), Household.history.count())
    path = write_xlsx(
        tmp_path / "thon.xlsx",
        [
            ["Mã xã", "Tên thôn", "Mã thôn"],
            ["23500", "Làng mới", ""],
            # The copy-paste slip: Đăk Mar's code on Ngọk Wang's village.
            [tree.dak_mar.code, village.name, village.code],
        ],
    )
    with pytest.raises(InvalidInput) as refused:
        villages_import(path=path, actor=users.province_admin)
    (problem,) = refused.value.problems
    assert (problem.location.file, problem.location.row) == ("thon.xlsx", 3)
    assert problem.location.column.startswith("A")
    assert village.code in problem.message and tree.ngok_wang.code in problem.message
    assert tree.dak_mar.code in problem.message
    assert f"{households} households" in problem.message
    village.refresh_from_db()
    assert village.parent_id == tree.ngok_wang.pk
    assert (village.path, Unit.history.count(), Household.history.count()) == before
    assert not Unit.objects.filter(name="Làng mới").exists()  # all or nothing
    _commune_and_path_agree()
    assert indicator_services.aggregates_check() == []
    out = StringIO()
    call_command("aggregates", "check", stdout=out)  # exits 1 on a difference
    assert "No differences" in out.getvalue()


def test_the_load_villages_command_refuses_the_move_with_exit_code_2(
    tree, users, tmp_path: Path
) -> None:
    fixture.small_program(tree, users)
    path = write_csv(
        tmp_path / "thon.csv",
        [["Mã xã", "Tên thôn", "Mã thôn"], [tree.dak_mar.code, "Làng Kon Stiu", "23500-01"]],
    )
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("load-villages", str(path), stderr=err)
    assert caught.value.returncode == 2
    assert "does not move villages" in err.getvalue()
    assert Unit.objects.get(code="23500-01").parent_id == tree.ngok_wang.pk
    _commune_and_path_agree()


def test_the_move_service_refuses_a_village_holding_households(tree, users) -> None:
    fixture.small_program(tree, users)
    with pytest.raises(InvalidInput) as refused:
        unit_move(unit=tree.village_a, new_parent=tree.dak_mar, actor=users.province_admin)
    assert "cannot be moved to another commune" in refused.value.problems[0].message
    assert Unit.objects.get(code="23500-01").parent_id == tree.ngok_wang.pk
    _commune_and_path_agree()
    assert indicator_services.aggregates_check() == []


def test_an_empty_village_still_moves_through_the_service(tree, users) -> None:
    fresh = Unit.objects.create(
        code="23500-09", name="Thôn 9", level="village", kind="thon", parent=tree.ngok_wang
    )
    unit_move(unit=fresh, new_parent=tree.dak_mar, actor=users.province_admin)
    fresh.refresh_from_db()
    assert fresh.path == f"{tree.dak_mar.path}23500-09/"
