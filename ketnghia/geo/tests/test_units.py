"""Keeping the unit tree consistent: create, move and classify one unit at a time."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from ketnghia.conftest import Tree
from ketnghia.core.errors import InvalidInput
from ketnghia.geo.models import ClassificationScheme, Unit, UnitClassification, UnitKind, UnitLevel
from ketnghia.geo.services import unit_classify, unit_create, unit_move

REGION = ClassificationScheme.COMMUNE_REGION
VILLAGE_LIST = ClassificationScheme.ESPECIALLY_DIFFICULT_VILLAGE


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_create_a_village_and_a_post_reform_commune(tree: Tree, users) -> None:
    village = unit_create(
        code="23500-02",
        name="Làng Kon Rờ Bàng",
        level=UnitLevel.VILLAGE,
        kind=UnitKind.LANG,
        parent="23500",
        actor=users.province_admin,
    )
    assert village.path == "/62/615/23500/23500-02/"
    assert village.history.get().history_user == users.province_admin
    quang_ngai = unit_create(
        code="51",
        name="Tỉnh Quảng Ngãi",
        level=UnitLevel.PROVINCE,
        kind=UnitKind.TINH,
        parent=None,
        valid_from=None,
        actor=None,
    )
    commune = unit_create(
        code="T0001",
        name="Xã Thử Nghiệm",
        level=UnitLevel.COMMUNE,
        kind=UnitKind.XA,
        parent=quang_ngai,
        valid_from=date(2025, 7, 1),
        actor=None,
    )
    assert commune.path == "/51/T0001/"


def test_create_lists_every_problem_and_writes_nothing(tree: Tree) -> None:
    before = Unit.objects.count()
    with pytest.raises(InvalidInput) as caught:
        unit_create(
            code="23500",
            name=" ",
            level=UnitLevel.VILLAGE,
            kind=UnitKind.XA,
            parent="615",
            valid_from=date(2025, 1, 1),
            valid_to=date(2024, 1, 1),
            actor=None,
        )
    fields = [p.location.field for p in caught.value.problems]
    assert fields == ["code", "name", "kind", "parent", "valid_to"]
    assert "cannot be placed under" in caught.value.problems[3].message
    assert Unit.objects.count() == before


def test_create_refuses_unknown_parent_codes_and_bad_codes(tree: Tree) -> None:
    with pytest.raises(InvalidInput, match="Unknown unit code “99999”"):
        unit_create(
            code="99999-01",
            name="Thôn 1",
            level=UnitLevel.VILLAGE,
            kind=UnitKind.THON,
            parent="99999",
            actor=None,
        )
    with pytest.raises(InvalidInput, match="not valid"):
        unit_create(
            code="a/b",
            name="Thôn 1",
            level=UnitLevel.VILLAGE,
            kind=UnitKind.THON,
            parent=tree.ngok_wang,
            actor=None,
        )


def test_move_rewrites_the_whole_subtree(tree: Tree, users) -> None:
    unit_move(unit=tree.ngok_wang, new_parent=tree.dak_glei, actor=users.province_admin)
    tree.ngok_wang.refresh_from_db()
    tree.village_a.refresh_from_db()
    assert tree.ngok_wang.path == "/62/610/23500/"
    assert tree.village_a.path == "/62/610/23500/23500-01/"
    assert tree.village_a.history.first().history_user == users.province_admin
    # Untouched units keep their paths.
    tree.village_b.refresh_from_db()
    assert tree.village_b.path == "/62/615/23488/23488-01/"


def test_move_a_district_carries_communes_and_villages(tree: Tree) -> None:
    unit_create(
        code="51",
        name="Tỉnh Quảng Ngãi",
        level=UnitLevel.PROVINCE,
        kind=UnitKind.TINH,
        parent=None,
        actor=None,
    )
    unit_move(unit="615", new_parent="51", actor=None)
    paths = set(Unit.objects.filter(path__startswith="/51/").values_list("path", flat=True))
    assert paths == {
        "/51/",
        "/51/615/",
        "/51/615/23500/",
        "/51/615/23488/",
        "/51/615/23500/23500-01/",
        "/51/615/23488/23488-01/",
    }


def test_move_refuses_cycles_wrong_levels_and_unknown_codes(tree: Tree) -> None:
    paths = dict(Unit.objects.values_list("code", "path"))
    with pytest.raises(InvalidInput, match="lies inside it"):
        unit_move(unit=tree.dak_ha, new_parent=tree.ngok_wang, actor=None)
    with pytest.raises(InvalidInput, match="lies inside it"):
        unit_move(unit=tree.dak_ha, new_parent=tree.dak_ha, actor=None)
    with pytest.raises(InvalidInput, match="cannot be placed under"):
        unit_move(unit=tree.village_a, new_parent=tree.dak_glei, actor=None)
    with pytest.raises(InvalidInput, match="Unknown unit code"):
        unit_move(unit="23500", new_parent="00000", actor=None)
    assert dict(Unit.objects.values_list("code", "path")) == paths


def test_classify_commune_and_village(tree: Tree, users) -> None:
    region = unit_classify(
        unit=tree.ngok_wang,
        scheme=REGION,
        value="khu vực III",
        start_year=2016,
        end_year=2020,
        legal_basis="Quyết định 582/QĐ-TTg",
        actor=users.province_admin,
    )
    assert (region.value, region.history.get().history_user) == ("III", users.province_admin)
    listed = unit_classify(
        unit="23500-01",
        scheme=VILLAGE_LIST,
        value="x",
        start_year=2021,
        end_year=2025,
        legal_basis="",
        actor=None,
    )
    assert listed.value == "ĐBKK"
    # The same period again corrects the value instead of adding a row.
    again = unit_classify(
        unit=tree.ngok_wang,
        scheme=REGION,
        value="II",
        start_year=2016,
        end_year=2020,
        legal_basis="Quyết định 582/QĐ-TTg",
        actor=None,
    )
    assert again.pk == region.pk and again.value == "II"
    assert UnitClassification.objects.count() == 2


@pytest.mark.parametrize(
    ("unit", "scheme", "value", "start", "end", "message"),
    [
        ("village_a", REGION, "III", 2016, 2020, "Only a commune"),
        ("ngok_wang", VILLAGE_LIST, "x", 2016, 2020, "Only a village"),
        ("dak_mar", REGION, "IV", 2016, 2020, "I, II or III"),
        ("ngok_wang", REGION, "II", 2018, 2022, "overlaps"),
        ("ngok_wang", REGION, "II", 2025, 2021, "before it starts"),
    ],
)
def test_classify_refuses_wrong_level_bad_value_and_overlaps(
    tree: Tree, unit: str, scheme: str, value: str, start: int, end: int, message: str
) -> None:
    unit_classify(
        unit=tree.ngok_wang,
        scheme=REGION,
        value="III",
        start_year=2016,
        end_year=2020,
        legal_basis="",
        actor=None,
    )
    with pytest.raises(InvalidInput, match=message):
        unit_classify(
            unit=getattr(tree, unit),
            scheme=scheme,
            value=value,
            start_year=start,
            end_year=end,
            legal_basis="",
            actor=None,
        )
    assert UnitClassification.objects.count() == 1
