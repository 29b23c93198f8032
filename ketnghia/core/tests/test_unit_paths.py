"""Stored unit paths stay true: a move rewrites every copy below the unit, in one transaction."""

from __future__ import annotations

import contextlib

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketnghia.accounts.models import Role
from ketnghia.accounts.services import user_create
from ketnghia.census.models import CensusRound
from ketnghia.census.tests.factories import household, make_round
from ketnghia.conftest import make_unit
from ketnghia.core import gate
from ketnghia.core.errors import InvalidInput
from ketnghia.core.unit_paths import STORED_UNIT_PATHS, rewrite_prefix
from ketnghia.geo.importers import villages_import
from ketnghia.geo.models import Unit, UnitKind, UnitLevel
from ketnghia.geo.services import paths_rewrite_below, unit_move
from ketnghia.geo.tests.helpers import write_csv
from ketnghia.households.models import Household


def _is_historical(model) -> bool:
    return hasattr(model, "instance_type") or model.__name__.startswith("Historical")


def test_every_model_storing_a_path_is_in_the_registry():
    found = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        if not _is_historical(model) and model.__module__.startswith("ketnghia.")
        for field in model._meta.concrete_fields
        if field.name.endswith("path")
    }
    assert found, "the walk must find at least the units' own path"
    assert found <= set(STORED_UNIT_PATHS), found - set(STORED_UNIT_PATHS)


def _computed_path(unit: Unit, by_pk: dict[int, Unit]) -> str:
    codes = []
    current: Unit | None = unit
    while current is not None:
        codes.append(current.code)
        current = by_pk.get(current.parent_id) if current.parent_id else None
    return "/" + "/".join(reversed(codes)) + "/"


def _assert_paths_true() -> dict[int, str]:
    by_pk = {unit.pk: unit for unit in Unit.objects.all()}
    truth = {pk: _computed_path(unit, by_pk) for pk, unit in by_pk.items()}
    assert {pk: unit.path for pk, unit in by_pk.items()} == truth
    for row in Household.objects.all():
        assert row.unit_path == truth[row.village_id or row.commune_id], row
    for row in CensusRound.objects.all():
        assert row.unit_path == truth[row.commune_id], row
    return truth


def test_moving_a_commune_rewrites_villages_households_and_rounds_with_history(tree, users):
    census_round = make_round(
        tree.ngok_wang, 2024, "vn-2022", {"A": 900_000}, village=tree.village_a
    )
    before = Household.history.count()
    unit_move(unit=tree.ngok_wang, new_parent=tree.dak_glei, actor=users.province_admin)
    _assert_paths_true()
    census_round.refresh_from_db()
    assert census_round.unit_path == "/62/610/23500/"
    moved = Household.objects.get(code="A")
    assert moved.unit_path == "/62/610/23500/23500-01/"
    # The bulk rewrite leaves a history row for each row it changed, naming who moved it.
    assert Household.history.count() == before + 1
    record = moved.history.latest()
    assert record.unit_path == moved.unit_path and record.history_user == users.province_admin
    assert tree.village_a.history.latest().path == "/62/610/23500/23500-01/"


def test_the_rewrite_is_set_based(tree, django_assert_max_num_queries):
    for code in "ABCDEFGH":
        household(tree.ngok_wang, code, tree.village_a)
    with django_assert_max_num_queries(len(STORED_UNIT_PATHS) * 2):
        counts = rewrite_prefix(old_prefix="/62/615/23500/", new_prefix="/62/610/23500/")
    assert counts["households.Household.unit_path"] == 8


def test_a_cycle_or_a_wrong_level_is_refused_and_nothing_moves(tree, users):
    with pytest.raises(InvalidInput) as refused:
        unit_move(unit=tree.dak_ha, new_parent=tree.village_a, actor=users.province_admin)
    assert "nằm bên trong" in str(refused.value.problems[0].message)
    with pytest.raises(InvalidInput):
        unit_move(unit=tree.ngok_wang, new_parent=tree.village_c, actor=users.province_admin)
    _assert_paths_true()
    assert Unit.objects.get(code="23500").path == "/62/615/23500/"


def test_a_move_outside_the_administrators_province_is_refused(tree, users):
    other = make_unit("64", "Tỉnh Gia Lai", UnitLevel.PROVINCE, UnitKind.TINH)
    district = make_unit("622", "Huyện Chư Păh", UnitLevel.DISTRICT, UnitKind.HUYEN, other)
    with pytest.raises(InvalidInput):
        unit_move(unit=tree.ngok_wang, new_parent=district, actor=users.province_admin)
    assert Unit.objects.get(code="23500").path == "/62/615/23500/"


@pytest.fixture
def two_provinces(tree):
    other = make_unit("64", "Tỉnh Gia Lai", UnitLevel.PROVINCE, UnitKind.TINH)
    chu_pah = make_unit("622", "Huyện Chư Păh", UnitLevel.DISTRICT, UnitKind.HUYEN, other)
    ia_ly = make_unit("23800", "Xã Ia Ly", UnitLevel.COMMUNE, UnitKind.XA, chu_pah)
    make_unit("23800-01", "Làng Ia Ly", UnitLevel.VILLAGE, UnitKind.LANG, ia_ly)
    for commune in Unit.objects.filter(level=UnitLevel.COMMUNE):
        village = commune.children.first()
        household(commune, f"H{commune.code}", village)
        household(commune, f"K{commune.code}")
        CensusRound(commune=commune, year=2024, standard_code="vn-2022").save()
    return tree


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=8))
def test_after_random_moves_every_stored_path_is_true_and_scopes_agree(two_provinces, moves):
    with transaction.atomic():
        units = list(Unit.objects.exclude(level=UnitLevel.PROVINCE).order_by("code"))
        parents = list(Unit.objects.exclude(level=UnitLevel.VILLAGE).order_by("code"))
        for unit_index, parent_index in moves:
            unit, parent = units[unit_index % len(units)], parents[parent_index % len(parents)]
            # A cycle or the wrong level is refused, and nothing may have changed.
            with contextlib.suppress(InvalidInput):
                unit_move(unit=unit.code, new_parent=parent.code, actor=None)
        truth = _assert_paths_true()
        for district in Unit.objects.filter(level=UnitLevel.DISTRICT):
            officer = user_create(
                username=f"d{district.code}",
                password=None,
                role=Role.DISTRICT_OFFICER,
                jurisdiction=district,
            )
            scope = gate.scope_for(officer, gate.Action.VIEW)
            reached = set(scope.filter(Household.objects.all(), "unit_path").values_list("pk"))
            expected = {
                (row.pk,)
                for row in Household.objects.all()
                if f"/{district.code}/" in truth[row.village_id or row.commune_id]
            }
            assert reached == expected
        transaction.set_rollback(True)


def test_after_a_move_the_old_district_gets_404_and_the_new_one_reaches_it(client, tree, users):
    census_round = make_round(
        tree.ngok_wang, 2024, "vn-2022", {"A": 900_000}, village=tree.village_a
    )
    new_officer = user_create(
        username="district610",
        password=None,
        role=Role.DISTRICT_OFFICER,
        jurisdiction=tree.dak_glei,
    )
    commune, year = tree.ngok_wang.code, census_round.year
    urls = [
        reverse("census:commune_census", kwargs={"commune": commune}),
        reverse("census:round_detail", kwargs={"commune": commune, "year": year}),
        reverse("census:household_detail", kwargs={"commune": commune, "code": "A"}),
        reverse("census:round_template", kwargs={"commune": commune, "year": year}),
        reverse("geo:unit_detail", kwargs={"code": commune}),
        reverse("geo:unit_detail", kwargs={"code": tree.village_a.code}),
        reverse("api:census_round_detail", kwargs={"commune": commune, "year": year}),
        reverse("api:census_entry_list", kwargs={"commune": commune, "year": year}),
        reverse("api:household_detail", kwargs={"commune": commune, "code": "A"}),
        reverse("api:unit_detail", kwargs={"code": commune}),
    ]
    client.force_login(users.district_officer)
    assert [client.get(url).status_code for url in urls] == [200] * len(urls)
    unit_move(unit=tree.ngok_wang, new_parent=tree.dak_glei, actor=users.province_admin)
    assert [client.get(url).status_code for url in urls] == [404] * len(urls)
    client.force_login(new_officer)
    assert [client.get(url).status_code for url in urls] == [200] * len(urls)


def test_a_village_file_never_moves_a_village_and_its_households_stay(tree, users, tmp_path):
    household(tree.ngok_wang, "A", tree.village_a)
    path = write_csv(
        tmp_path / "thon.csv",
        [["Mã xã", "Tên thôn", "Mã thôn", "Loại"], ["23488", "Làng Kon Stiu", "23500-01", "làng"]],
    )
    with pytest.raises(InvalidInput):
        villages_import(path=path, dry_run=False, actor=users.province_admin)
    assert Household.objects.get(code="A").unit_path == "/62/615/23500/23500-01/"
    _assert_paths_true()


def test_a_reloaded_national_list_that_moves_a_district_carries_everything_below(tree):
    household(tree.ngok_wang, "A", tree.village_a)
    other = make_unit("64", "Tỉnh Gia Lai", UnitLevel.PROVINCE, UnitKind.TINH)
    district = Unit.objects.get(code="615")
    old = district.path
    Unit.objects.filter(pk=district.pk).update(parent=other, path="/64/615/")
    district.refresh_from_db()
    paths_rewrite_below([(old, district)], actor=None)
    assert Household.objects.get(code="A").unit_path == "/64/615/23500/23500-01/"
    _assert_paths_true()
