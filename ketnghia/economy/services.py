"""Writes of economic models, each in one transaction with history; bad input writes nothing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core import derived
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.history import save_by
from ketnghia.core.models import Attachment
from ketnghia.economy import rules
from ketnghia.economy.models import (
    EconomicModel,
    ModelKind,
    ModelResult,
    ModelStatus,
    Participation,
)
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.models import Household
from ketnghia.twinning.models import Organisation, WorkTeam

# What economic models and their results are reported as to `core.derived` (the indicators
# `economic_models` and `replication_villages` read them).
MODELS = "economy.models"


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise InvalidInput(problems)


def _origin_problems(model: EconomicModel | None, origin: EconomicModel | None) -> list[Problem]:
    if origin is None:
        return []
    origins = dict(EconomicModel.objects.values_list("pk", "origin_id"))
    found = rules.replication_cycle(model.pk if model else None, origin.pk, origins)
    name = model.name if model else ""
    if found == "self":
        return [
            Problem(
                _("Model %(model)s cannot be a replication of itself.") % {"model": name},
                Location(field="origin"),
            )
        ]
    if found == "cycle":
        return [
            Problem(
                _(
                    "Model %(model)s cannot be replicated from %(origin)s: %(origin)s is "
                    "itself a replication of %(model)s (the replications would go round in "
                    "a circle)."
                )
                % {"model": name, "origin": origin.name},
                Location(field="origin"),
            )
        ]
    return []


@transaction.atomic
def economic_model_create(
    *,
    code: str,
    name: str,
    kind: str,
    village: Unit,
    start_date: date,
    actor: Actor,
    organisation: Organisation | None = None,
    work_team: WorkTeam | None = None,
    status: str = ModelStatus.TRIAL,
    origin: EconomicModel | None = None,
    output_unit: str = "",
    description: str = "",
) -> EconomicModel:
    """Record a model hosted by `village` (a replication when `origin` is given)."""
    record = name.strip()
    problems: list[Problem] = []
    if not record:
        problems.append(Problem(_("A model needs a name."), Location(field="name")))
    if kind not in ModelKind.values:
        problems.append(
            Problem(_("Unknown kind of model: %(kind)s.") % {"kind": kind}, Location(field="kind"))
        )
    if status not in ModelStatus.values:
        problems.append(
            Problem(
                _("Unknown status of a model: %(status)s.") % {"status": status},
                Location(field="status"),
            )
        )
    if village.level != UnitLevel.VILLAGE or village.parent is None:
        problems.append(
            Problem(
                _("%(record)s: a model is hosted by a village.") % {"record": record},
                Location(field="village"),
            )
        )
    if EconomicModel.objects.filter(code=code).exists():
        problems.append(
            Problem(
                _("A model with the code %(code)s already exists.") % {"code": code},
                Location(field="code"),
            )
        )
    if (
        work_team is not None
        and organisation is not None
        and work_team.organisation_id != organisation.pk
    ):
        problems.append(
            Problem(
                _("%(record)s: the work team %(team)s is not a team of %(organisation)s.")
                % {"record": record, "team": work_team.name, "organisation": organisation},
                Location(field="work_team"),
            )
        )
    problems += _origin_problems(None, origin)
    _refuse(problems)
    model = EconomicModel(
        code=code,
        name=record,
        kind=kind,
        village=village,
        commune=village.parent,
        organisation=organisation or (work_team.organisation if work_team else None),
        work_team=work_team,
        start_date=start_date,
        status=status,
        origin=origin,
        output_unit=output_unit,
        description=description,
    )
    save_by(model, actor)
    return model


@transaction.atomic
def economic_model_replicate_from(
    *, model: EconomicModel, origin: EconomicModel | None, actor: Actor
) -> EconomicModel:
    """Link `model` to the model it replicates (None: it is an original); no self-link, no cycle."""
    model = EconomicModel.objects.select_for_update().get(pk=model.pk)
    _refuse(_origin_problems(model, origin))
    model.origin = origin
    save_by(model, actor, update_fields=["origin"])
    derived.inputs_changed(commune_ids=[model.commune_id], source=MODELS, actor=actor)
    return model


@transaction.atomic
def economic_model_set_status(*, model: EconomicModel, status: str, actor: Actor) -> EconomicModel:
    """Mark a model as on trial, effective or stopped."""
    if status not in ModelStatus.values:
        _refuse(
            [
                Problem(
                    _("Unknown status of a model: %(status)s.") % {"status": status},
                    Location(field="status"),
                )
            ]
        )
    model.status = status
    save_by(model, actor, update_fields=["status"])
    return model


@transaction.atomic
def participation_add(
    *,
    model: EconomicModel,
    households: Iterable[Household],
    joined_year: int,
    actor: Actor,
    reason: str = "",
) -> list[Participation]:
    """Add households to a model; all or none. One outside the host commune needs a reason."""
    households = list(households)
    reason = reason.strip()
    problems: list[Problem] = []
    taken = set(
        Participation.objects.filter(model=model, household__in=households).values_list(
            "household_id", flat=True
        )
    )
    for household in households:
        if household.pk in taken:
            problems.append(
                Problem(
                    _("Household %(household)s already takes part in %(model)s.")
                    % {"household": household.head_name, "model": model.name},
                    Location(field="households"),
                )
            )
        elif household.commune_id != model.commune_id and not reason:
            problems.append(
                Problem(
                    _(
                        "Household %(household)s lives outside the commune of %(model)s: "
                        "say why it takes part."
                    )
                    % {"household": household.head_name, "model": model.name},
                    Location(field="reason"),
                )
            )
    _refuse(problems)
    rows = []
    for household in households:
        row = Participation(
            model=model,
            household=household,
            joined_year=joined_year,
            reason=reason if household.commune_id != model.commune_id else "",
        )
        save_by(row, actor)
        rows.append(row)
    return rows


@transaction.atomic
def model_result_record(
    *,
    model: EconomicModel,
    year: int,
    output: Decimal | int | float,
    income_per_household: int,
    actor: Actor,
    households: int | None = None,
) -> ModelResult:
    """Record (or correct) a model's results of one year; negative figures are refused."""
    problems = []
    labels = {
        "output": _("output"),
        "income_per_household": _("income per participating household"),
    }
    for field in rules.negative_result(output, income_per_household):
        problems.append(
            Problem(
                _("%(model)s, %(year)s: the %(field)s cannot be negative.")
                % {"model": model.name, "year": year, "field": labels[field]},
                Location(field=field),
            )
        )
    if year < model.start_date.year:
        problems.append(
            Problem(
                _("%(model)s: results of %(year)s come before the model started (%(start)s).")
                % {"model": model.name, "year": year, "start": model.start_date.year},
                Location(field="year"),
            )
        )
    _refuse(problems)
    if households is None:
        households = model.participations.filter(joined_year__lte=year).count()
    result = ModelResult.objects.filter(model=model, year=year).first() or ModelResult(
        model=model, year=year
    )
    result.output = Decimal(str(output))
    result.income_per_household = int(income_per_household)
    result.households = households
    save_by(result, actor)
    derived.inputs_changed(commune_ids=[model.commune_id], years=[year], source=MODELS, actor=actor)
    return result


@transaction.atomic
def model_photo_add(*, model: EconomicModel, attachment: Attachment, actor: Actor) -> None:
    """Attach a photo (stored through `core.attachments`) to a model."""
    if attachment.unit_path and not attachment.unit_path.startswith(model.commune.path):
        _refuse(
            [
                Problem(
                    _("The photo belongs to another commune than %(model)s.")
                    % {"model": model.name},
                    Location(field="photo"),
                )
            ]
        )
    model.photos.add(attachment)
