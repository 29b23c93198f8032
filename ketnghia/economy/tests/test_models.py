"""Economic models: replication tree, refusals in Vietnamese, the replication spread."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from ketnghia.conftest import Tree, make_unit
from ketnghia.core.errors import InvalidInput
from ketnghia.core.gate import EVERYTHING, Action, scope_for
from ketnghia.economy import selectors, services
from ketnghia.economy.models import EconomicModel, ModelResult, Participation
from ketnghia.geo.models import UnitKind, UnitLevel
from ketnghia.households.models import Household


def _model(tree: Tree, code: str, village=None, origin=None) -> EconomicModel:
    return services.economic_model_create(
        code=code,
        name=f"Nuôi bò sinh sản {code}",
        kind="livestock",
        village=village or tree.village_a,
        start_date=date(2016, 3, 1),
        origin=origin,
        actor=None,
    )


def _household(commune, village, code: str) -> Household:
    return Household.objects.create(
        commune=commune, village=village, code=code, head_name=f"A {code}"
    )


def _messages(error: InvalidInput) -> str:
    return " | ".join(str(p) for p in error.problems)


@pytest.mark.django_db
def test_a_replicated_model_counts_its_villages_and_households(tree: Tree) -> None:
    second = make_unit(
        "23500-02", "Làng Kon Jong", UnitLevel.VILLAGE, UnitKind.LANG, tree.ngok_wang
    )
    origin = _model(tree, "bo-01")
    copy_a = _model(tree, "bo-02", village=second, origin=origin)
    copy_b = _model(tree, "bo-03", village=tree.village_b, origin=copy_a)
    services.participation_add(
        model=origin,
        households=[_household(tree.ngok_wang, tree.village_a, f"H{i}") for i in range(3)],
        joined_year=2016,
        actor=None,
    )
    services.participation_add(
        model=copy_a,
        households=[_household(tree.ngok_wang, second, f"K{i}") for i in range(4)],
        joined_year=2017,
        actor=None,
    )
    services.participation_add(
        model=copy_b,
        households=[_household(tree.dak_mar, tree.village_b, f"M{i}") for i in range(5)],
        joined_year=2018,
        actor=None,
    )
    rows = {row.code: row for row in selectors.model_rows(scope=EVERYTHING)}
    assert (rows["bo-01"].households, rows["bo-01"].replicated_villages) == (3, 2)
    assert rows["bo-01"].replicated_households == 9
    assert (rows["bo-02"].replicated_villages, rows["bo-02"].replicated_households) == (1, 5)
    tree_nodes = selectors.Replications().tree(origin, scope=EVERYTHING)
    assert [(n.model.code, n.depth) for n in tree_nodes] == [("bo-02", 1), ("bo-03", 2)]


@pytest.mark.django_db
def test_a_replication_of_itself_or_in_a_circle_is_refused_in_vietnamese(tree: Tree) -> None:
    first = _model(tree, "a")
    second = _model(tree, "b", origin=first)
    third = _model(tree, "c", origin=second)
    with translation.override("vi"), pytest.raises(InvalidInput) as self_link:
        services.economic_model_replicate_from(model=first, origin=first, actor=None)
    assert "chính nó" in _messages(self_link.value)
    with translation.override("vi"), pytest.raises(InvalidInput) as cycle:
        services.economic_model_replicate_from(model=first, origin=third, actor=None)
    assert "vòng tròn" in _messages(cycle.value)
    first.refresh_from_db()
    assert first.origin_id is None


@pytest.mark.django_db
def test_a_household_outside_the_host_commune_needs_a_reason(tree: Tree) -> None:
    model = _model(tree, "a")
    inside = _household(tree.ngok_wang, tree.village_a, "H1")
    outside = _household(tree.dak_mar, tree.village_b, "H2")
    with translation.override("vi"), pytest.raises(InvalidInput) as refused:
        services.participation_add(
            model=model, households=[inside, outside], joined_year=2016, actor=None
        )
    assert "ngoài xã" in _messages(refused.value)
    assert not Participation.objects.exists()
    services.participation_add(
        model=model,
        households=[inside, outside],
        joined_year=2016,
        actor=None,
        reason="Ruộng ở giáp ranh",
    )
    reasons = dict(Participation.objects.values_list("household__code", "reason"))
    assert reasons == {"H1": "", "H2": "Ruộng ở giáp ranh"}


@pytest.mark.django_db
def test_a_negative_output_or_income_is_refused_and_nothing_written(tree: Tree) -> None:
    model = _model(tree, "a")
    with translation.override("vi"), pytest.raises(InvalidInput) as refused:
        services.model_result_record(
            model=model, year=2017, output=-5, income_per_household=-1, actor=None
        )
    assert len(refused.value.problems) == 2
    assert "không thể âm" in _messages(refused.value)
    assert not ModelResult.objects.exists()
    services.model_result_record(
        model=model, year=2017, output=12.5, income_per_household=18_000_000, actor=None
    )
    services.model_result_record(
        model=model, year=2017, output=14, income_per_household=19_000_000, actor=None
    )
    assert list(ModelResult.objects.values_list("year", "income_per_household")) == [
        (2017, 19_000_000)
    ]
    assert model.history.count() == 1
    assert ModelResult.history.count() == 2


@pytest.mark.django_db
def test_models_outside_the_scope_are_not_found(tree: Tree, users) -> None:
    inside = _model(tree, "a")
    outside = _model(tree, "c", village=tree.village_c)
    scope = scope_for(users.commune_officer, Action.VIEW)
    assert [m.code for m in selectors.models_for(scope=scope)] == ["a"]
    selectors.model_get_for(scope=scope, pk=inside.pk)
    from ketnghia.core.errors import NotFound

    with pytest.raises(NotFound):
        selectors.model_get_for(scope=scope, pk=outside.pk)
