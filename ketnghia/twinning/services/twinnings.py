"""Twinnings: an organisation in charge of a commune."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core.errors import Location, Problem
from ketnghia.core.history import save_by
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.twinning.models import (
    Organisation,
    Twinning,
)
from ketnghia.twinning.selectors import network_rules_for
from ketnghia.twinning.services._common import (
    _close_before,
    _current,
    _period_problems,
    _refuse,
    network_changed,
)


def _twinning_problems(
    *,
    organisation: Organisation,
    commune: Unit,
    start_date: date,
    end_date: date | None,
    exclude_pk: int | None = None,
) -> list[Problem]:
    record = _("%(organisation)s ↔ %(commune)s") % {
        "organisation": organisation,
        "commune": commune,
    }
    problems = _period_problems(record, start_date, end_date)
    if problems:
        return problems
    if commune.level != UnitLevel.COMMUNE:
        problems.append(
            Problem(
                _("%(record)s: a twinning unit is twinned with a commune.") % {"record": record},
                Location(field="commune"),
            )
        )
    if network_rules_for(commune).one_twinning_unit_per_commune:
        others = _current(Twinning.objects.filter(commune=commune), start_date, end_date)
        if exclude_pk is not None:
            others = others.exclude(pk=exclude_pk)
        for other in others.select_related("organisation"):
            problems.append(
                Problem(
                    _(
                        "%(record)s: the program allows one twinning unit per commune at a "
                        "time, and %(other)s is twinned with it from %(start)s."
                    )
                    % {"record": record, "other": other.organisation, "start": other.start_date},
                    Location(field="start_date"),
                )
            )
    return problems


@transaction.atomic
def twinning_create(
    *,
    organisation: Organisation,
    commune: Unit,
    start_date: date,
    end_date: date | None = None,
    decision: str = "",
    decision_date: date | None = None,
    actor: Actor,
) -> Twinning:
    """Twin `organisation` with `commune` for a period, under the program's rules."""
    _refuse(
        _twinning_problems(
            organisation=organisation, commune=commune, start_date=start_date, end_date=end_date
        )
    )
    twinning = Twinning(
        organisation=organisation,
        commune=commune,
        start_date=start_date,
        end_date=end_date,
        decision=decision.strip(),
        decision_date=decision_date,
    )
    save_by(twinning, actor)
    network_changed(commune_ids=[commune.pk])
    return twinning


@transaction.atomic
def twinning_reassign(
    *,
    twinning: Twinning,
    organisation: Organisation,
    on: date,
    decision: str = "",
    decision_date: date | None = None,
    actor: Actor,
) -> Twinning:
    """Close `twinning` the day before `on` and twin `organisation` with the commune from `on`."""
    twinning = Twinning.objects.select_for_update().get(pk=twinning.pk)
    end_date = _close_before(
        twinning,
        on,
        actor,
        _("%(record)s: a reassignment on %(on)s falls outside the twinning's period."),
    )
    return twinning_create(
        organisation=organisation,
        commune=twinning.commune,
        start_date=on,
        end_date=end_date,
        decision=decision,
        decision_date=decision_date,
        actor=actor,
    )
