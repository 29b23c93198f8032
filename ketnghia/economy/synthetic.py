"""Synthetic household panels with a planted effect of support on leaving poverty.

Used by the estimator's tests (coverage of a planted and of a null effect), the bench and the
demo's planted support; every panel it makes is invented.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ketnghia.economy.outcomes import Panel

YEARS = (2016, 2017, 2018, 2019, 2020, 2021, 2022)
COHORTS = (2018, 2019, 2020)


@dataclass(frozen=True)
class Synthetic:
    panel: Panel
    rows: list[tuple[int, str, int]]
    naive_gap: float


def synthetic_panel(
    seed: int,
    *,
    effect: float,
    households: int = 3000,
    villages: int = 80,
    kind: str = "breeding_livestock",
    years: tuple[int, ...] = YEARS,
    cohorts: tuple[int, ...] = COHORTS,
) -> Synthetic:
    """Return a panel where support of `kind` raises the yearly chance of not being poor by `effect`.

    Being supported depends on the traits (selection on observables: minority households with
    more deprivations are supported more often and also leave poverty less often), so an
    unmatched comparison is biased; village shocks make households of a village alike.
    """
    rng = np.random.default_rng(seed)
    village = rng.integers(0, villages, households)
    commune_group = np.where(village < villages // 2, "A", "B")
    region = np.where(village % 3 == 0, "III", "II")
    minority = rng.random(households) < 0.7
    ethnicity = np.where(minority, "Ba Na", "Kinh")
    size = rng.integers(2, 9, households)
    deprivations = rng.integers(0, 7, households)
    income = rng.normal(500_000, 150_000, households).clip(100_000, None)
    base = 0.18 - 0.05 * minority - 0.012 * deprivations + 0.04 * (commune_group == "A")
    village_shock = rng.normal(0, 0.04, villages)[village]
    propensity = 0.15 + 0.25 * minority + 0.03 * deprivations
    supported = rng.random(households) < propensity
    start = np.where(supported, rng.choice(cohorts, households), 0)
    trend = np.linspace(0.0, 0.24, len(years))
    year_array = np.array(years)
    treated_now = (start[:, None] > 0) & (year_array[None, :] >= start[:, None])
    p_not_poor = (
        base[:, None] + village_shock[:, None] + trend[None, :] + effect * treated_now
    ).clip(0.0, 1.0)
    not_poor = rng.random((households, len(years))) < p_not_poor
    poor = (~not_poor).astype(float)
    missing = rng.random((households, len(years))) < 0.01
    poor[missing] = np.nan
    ids = np.arange(1, households + 1)
    rows = [(int(ids[i]), kind, int(start[i])) for i in np.flatnonzero(start)]
    last = len(years) - 1
    naive_gap = float(
        np.nanmean(1 - poor[supported, last]) - np.nanmean(1 - poor[~supported, last])
    )
    panel = Panel.build(
        household_ids=ids,
        village_ids=village,
        years=years,
        poor=poor,
        traits={
            "commune_group": commune_group,
            "region": region,
            "ethnicity": ethnicity,
            "household_size": size,
            "baseline_income": income,
            "deprivations": deprivations,
        },
    )
    return Synthetic(panel, rows, naive_gap)
