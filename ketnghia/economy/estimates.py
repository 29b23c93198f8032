"""The exit-rate difference as an indicator of the engine (`support_exit_rate_difference`).

Registered with `indicators.estimates` from AppConfig.ready: for one program and its
districts and provinces, the matched staggered difference-in-differences of `outcomes`
(`analyse_kind`) with every package kind taken together (a household's cohort is the first
year any package reached it), over the households of each unit. The program's census panel
is read once per call (`panel.program_panel`) and cut per unit (its households and the
census years they were counted in); a commune is never estimated alone (too few
households), a unit no support reached has no row. The estimate is stored under the unit's
last census year.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ketnghia.economy import outcomes, panel
from ketnghia.geo.models import Unit
from ketnghia.households.models import Household
from ketnghia.indicators.domain import UnitEstimate
from ketnghia.programs.models import Program

ESTIMATOR = "support_exit"
# The kind under which every package counts (the disaggregation "" of the indicator).
ALL_KINDS = "*"


def unit_panel(full: outcomes.Panel, household_ids: Sequence[int]) -> outcomes.Panel:
    """Return the rows of `full` for `household_ids` (the households of one unit) and the
    census years they were counted in: a unit's estimate reads nothing of other units, so a
    change in one commune changes only the rows of its district and province."""
    keep = np.isin(full.household_ids, np.asarray(list(household_ids), dtype=np.int64))
    poor = full.poor[keep]
    counted = ~np.isnan(poor).all(axis=0) if len(poor) else np.zeros(len(full.years), dtype=bool)
    return outcomes.Panel(
        household_ids=full.household_ids[keep],
        village=full.village[keep],
        years=tuple(y for y, c in zip(full.years, counted, strict=True) if c),
        poor=poor[:, counted],
        traits={name: values[keep] for name, values in full.traits.items()},
    )


def support_exit_estimates(program_id: int, unit_ids: Sequence[int]) -> list[UnitEstimate]:
    """Return the exit-rate difference of supported poor households for each of `unit_ids`
    (districts and provinces of the program), or no estimate with the reason."""
    program = Program.objects.get(pk=program_id)
    rows = panel.treatment_rows(program)
    if not rows:
        # No delivery: there is no question to answer (no row, not a failed estimate).
        return []
    full = panel.program_panel(program)
    if not full.years:
        return []
    every_kind = [(h, ALL_KINDS, y) for h, _kind, y in rows]
    supported = np.asarray(sorted({h for h, _kind, _y in rows}), dtype=np.int64)
    options = panel.estimator_settings()
    found = []
    for unit in Unit.objects.filter(pk__in=list(unit_ids)).order_by("path"):
        households = Household.objects.filter(commune__path__startswith=unit.path).values_list(
            "pk", flat=True
        )
        part = unit_panel(full, list(households))
        if not part.years or not np.isin(part.household_ids, supported).any():
            continue  # no support reached the unit: nothing to estimate (no row)
        # Stored under the unit's last census year.
        year = max(part.years)
        result = outcomes.analyse_kind(part, every_kind, ALL_KINDS, options)
        att = result.att
        found.append(
            UnitEstimate(
                program_id=program_id,
                unit_id=unit.pk,
                unit_level=unit.level,
                year=year,
                disaggregation="",
                value=None if att is None else att.value,
                ci_low=None if att is None else att.ci_low,
                ci_high=None if att is None else att.ci_high,
                reason=str(result.reason),
            )
        )
    return found
