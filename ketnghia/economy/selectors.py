"""Reads of economic models, always through a scope from the gate."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ketnghia.core.errors import NotFound
from ketnghia.core.gate import UnitScope
from ketnghia.economy import rules
from ketnghia.economy.models import EconomicModel, ModelResult, Participation
from ketnghia.programs.models import Program


def models_for(*, scope: UnitScope, program: Program | None = None) -> QuerySet[EconomicModel]:
    """Return the models inside `scope` (hosted in the program's communes when given)."""
    models = scope.filter(EconomicModel.objects.all(), "unit_path")
    if program is not None:
        models = models.filter(commune__in=program.memberships.values("commune_id"))
    return models.select_related("village", "commune", "organisation", "work_team", "origin")


def model_get_for(*, scope: UnitScope, pk: Any) -> EconomicModel:
    """Return one model inside `scope`; the same NotFound for missing and forbidden."""
    model = models_for(scope=scope).filter(pk=pk).first() if str(pk).isdigit() else None
    if model is None:
        raise NotFound(_("Economic model not found."))
    return model


@dataclass(frozen=True)
class TreeNode:
    model: EconomicModel
    depth: int
    households: int

    @property
    def indent(self) -> range:
        return range(self.depth - 1)


class Replications:
    """Every model's origin, village and households, for spreads and trees in a few queries."""

    def __init__(self) -> None:
        self.children: dict[int, list[int]] = defaultdict(list)
        self.village_of: dict[int, int] = {}
        for pk, origin_id, village_id in EconomicModel.objects.values_list(
            "pk", "origin_id", "village_id"
        ):
            self.village_of[pk] = village_id
            if origin_id is not None:
                self.children[origin_id].append(pk)
        self.households_of: dict[int, set[int]] = defaultdict(set)
        for model_id, household_id in Participation.objects.values_list("model_id", "household_id"):
            self.households_of[model_id].add(household_id)

    def spread(self, model_id: int) -> rules.Spread:
        return rules.spread(model_id, self.children, self.village_of, self.households_of)

    def tree(self, model: EconomicModel, *, scope: UnitScope) -> list[TreeNode]:
        """Return the replications of `model` in tree order, those inside `scope` only."""
        below = rules.descendants(model.pk, self.children)
        visible = {m.pk: m for m in models_for(scope=scope).filter(pk__in=below)}
        nodes: list[TreeNode] = []

        def walk(pk: int, depth: int) -> None:
            for child in sorted(self.children.get(pk, ())):
                if child in visible:
                    nodes.append(
                        TreeNode(visible[child], depth, len(self.households_of.get(child, ())))
                    )
                walk(child, depth + 1)

        walk(model.pk, 1)
        return nodes


def model_results(model: EconomicModel) -> list[ModelResult]:
    return list(model.results.order_by("year"))


@dataclass(frozen=True)
class ModelRow:
    """One model as the CLI and the list page give it."""

    pk: int
    code: str
    name: str
    kind: str
    kind_label: str
    host_village: str
    commune: str
    status: str
    start_date: date
    households: int
    replicated_villages: int
    replicated_households: int
    origin_code: str

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "host_village": self.host_village,
            "households": self.households,
            "replicated_villages": self.replicated_villages,
            "replicated_households": self.replicated_households,
        }


def model_rows(*, scope: UnitScope, program: Program | None = None) -> list[ModelRow]:
    """Return every model in scope with its households and how far it was replicated."""
    replications = Replications()
    rows = []
    for model in models_for(scope=scope, program=program).order_by("code"):
        spread = replications.spread(model.pk)
        rows.append(
            ModelRow(
                pk=model.pk,
                code=model.code,
                name=model.name,
                kind=model.kind,
                kind_label=str(model.get_kind_display()),
                host_village=model.village.name,
                commune=model.commune.name,
                status=str(model.get_status_display()),
                start_date=model.start_date,
                households=len(replications.households_of.get(model.pk, ())),
                replicated_villages=spread.villages,
                replicated_households=spread.households,
                origin_code=model.origin.code if model.origin else "",
            )
        )
    return rows
