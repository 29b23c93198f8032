"""Did support work? Matched, staggered difference-in-differences over plain arrays (no ORM).

The question: among households that were poor the year before a package of one kind first
reached them, did more of them leave poverty than comparable poor households that had not
(yet) been supported?

The design, for one package kind:

* **Cohorts.** A supported household's cohort `g` is the first year it received the kind.
  A household supported earlier with another kind is left out (its history is not clean).
* **Population of a cohort.** Households poor in the base year `g - 1`; the outcome in year
  `t` is "not poor in `t`" minus "not poor in `g - 1`" (so, after the base year, the
  poverty-exit rate).
* **Coarsened exact matching.** Baseline traits (commune group, region, household-size band,
  ethnicity of the head, baseline income band, deprivation-count band) make strata; a
  stratum counts only where it holds supported households and at least
  `min_stratum_controls` comparison households. The balance table gives standardised mean
  differences before matching (all comparison households) and after (comparison households
  weighted by stratum, as coarsened exact matching does).
* **Group-time effects** (Callaway & Sant'Anna 2021, covariates entering as exact strata,
  which is their outcome-regression, weighting and doubly-robust estimators at once for
  discrete covariates): ATT(g, t) compares the cohort with households not yet supported in
  `max(t, g - 1)`, stratum by stratum, weighted by the cohort's households per stratum.
  Periods before `g - 1` are the event-study pre-period estimates (a check of parallel
  trends, universal base period `g - 1`).
* **Aggregation.** A cohort's effect is the mean of its post-period ATT(g, t); the kind's
  effect weights cohorts by their matched households; the event study weights cohorts per
  event time the same way.
* **Uncertainty.** Each estimate has an influence function per household; standard errors
  add them up per village (clustered), with the C / (C - 1) small-sample factor, and the
  95 % interval is the estimate ± 1.96 standard errors.
* **No estimate** for a cohort with fewer than `min_group` matched households, or with no
  comparison households after matching: the reason is said in plain Vietnamese.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

Z_95 = 1.959963984540054

# Traits used to match, in the order the balance table lists them.
CATEGORICAL_TRAITS = ("commune_group", "region", "ethnicity")
NUMERIC_TRAITS = ("household_size", "baseline_income", "deprivations")

TRAIT_LABELS = {
    "commune_group": gettext_lazy("Commune group"),
    "region": gettext_lazy("Region"),
    "ethnicity": gettext_lazy("Ethnicity of the head"),
    "household_size": gettext_lazy("Household size"),
    "baseline_income": gettext_lazy("Baseline income (VND per person per month)"),
    "deprivations": gettext_lazy("Deprivation count"),
}

# Coarsening cut points: a value v falls in band k when cuts[k-1] <= v < cuts[k].
SIZE_CUTS = (3, 5, 7)  # 1–2, 3–4, 5–6, 7 and more
DEPRIVATION_CUTS = (1, 3, 5)  # none, 1–2, 3–4, 5 and more
INCOME_BANDS = 4  # quartiles of the population's baseline income


@dataclass(frozen=True)
class Settings:
    """The thresholds under which nothing is estimated."""

    min_group: int = 30
    min_stratum_controls: int = 2
    income_bands: int = INCOME_BANDS
    # Who may be compared with: "household" — poor households no package had reached yet;
    # "village" — poor households of villages no package had reached yet (see
    # `COMPARISONS`).
    comparison: str = "household"


# "village": where support goes to every eligible household of a commune at once and the
# eligible are chosen on last year's poverty, the households a later round leaves out of a
# village are those that had already left poverty; keeping them as comparison households
# while dropping their supported neighbours would make the comparison exit poverty more often
# than it would have. Comparing with villages support had not reached avoids that (and
# spill-overs inside a village), at the price of fewer comparison households.
COMPARISONS = ("household", "village")


@dataclass(frozen=True)
class Estimate:
    """One estimate with its clustered standard error and 95 % interval."""

    value: float
    se: float
    ci_low: float
    ci_high: float
    households: int = 0

    def covers(self, x: float) -> bool:
        return self.ci_low <= x <= self.ci_high

    def as_dict(self) -> dict[str, float | int]:
        return {
            "estimate": round(self.value, 6),
            "se": round(self.se, 6),
            "ci_low": round(self.ci_low, 6),
            "ci_high": round(self.ci_high, 6),
            "households": self.households,
        }


@dataclass(frozen=True)
class PeriodEstimate:
    """An effect at one year relative to the start (event time `e = year - start_year`)."""

    event_time: int
    year: int | None
    estimate: Estimate


@dataclass(frozen=True)
class BalanceRow:
    """Standardised mean difference of one trait (or one level of a categorical trait)."""

    trait: str
    level: str
    treated_mean: float
    control_mean_before: float
    control_mean_after: float | None
    smd_before: float
    smd_after: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "trait": self.trait,
            "level": self.level,
            "treated_mean": round(self.treated_mean, 6),
            "control_mean_before": round(self.control_mean_before, 6),
            "control_mean_after": None
            if self.control_mean_after is None
            else round(self.control_mean_after, 6),
            "smd_before": round(self.smd_before, 6),
            "smd_after": None if self.smd_after is None else round(self.smd_after, 6),
        }


@dataclass
class CohortResult:
    """The outcome of one package kind for the households it first reached in `start_year`."""

    kind: str
    start_year: int
    supported: int
    matched: int = 0
    strata: int = 0
    controls: int = 0
    balance: list[BalanceRow] = field(default_factory=list)
    pre_periods: list[PeriodEstimate] = field(default_factory=list)
    post_periods: list[PeriodEstimate] = field(default_factory=list)
    att: Estimate | None = None
    reason: str = ""

    @property
    def estimated(self) -> bool:
        return self.att is not None


@dataclass
class KindResult:
    """Every cohort of one package kind, and the kind's effect over its cohorts."""

    kind: str
    cohorts: list[CohortResult]
    att: Estimate | None
    event_study: list[PeriodEstimate]
    reason: str = ""

    @property
    def estimated(self) -> bool:
        return self.att is not None


@dataclass(frozen=True)
class Panel:
    """Households (rows) × census years (columns) and the households' baseline traits.

    `poor[i, j]` is 1.0 when household i was poor (poor, not near-poor) in `years[j]`, 0.0 when
    it was classified otherwise, NaN when it was not in that year's census.
    """

    household_ids: np.ndarray
    village: np.ndarray  # cluster codes, any integers
    years: tuple[int, ...]
    poor: np.ndarray
    traits: Mapping[str, np.ndarray]

    @classmethod
    def build(
        cls,
        *,
        household_ids: Sequence[int],
        village_ids: Sequence[int],
        years: Sequence[int],
        poor: np.ndarray,
        traits: Mapping[str, Sequence[object]],
    ) -> Panel:
        ids = np.asarray(household_ids, dtype=np.int64)
        matrix = np.asarray(poor, dtype=float)
        if matrix.shape != (len(ids), len(years)):
            raise ValueError("poor must be households × years")
        return cls(
            household_ids=ids,
            village=np.asarray(village_ids, dtype=np.int64),
            years=tuple(int(y) for y in years),
            poor=matrix,
            traits={name: np.asarray(values) for name, values in traits.items()},
        )


def first_years(
    panel: Panel, rows: Sequence[tuple[int, str, int]], kind: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return (first year of `kind`, first year of any kind) per household, 0 if never."""
    position = {int(h): i for i, h in enumerate(panel.household_ids)}
    first_kind = np.zeros(len(position), dtype=np.int64)
    first_any = np.zeros(len(position), dtype=np.int64)
    for household_id, row_kind, year in rows:
        i = position.get(int(household_id))
        if i is None:
            continue
        if first_any[i] == 0 or year < first_any[i]:
            first_any[i] = year
        if row_kind == kind and (first_kind[i] == 0 or year < first_kind[i]):
            first_kind[i] = year
    return first_kind, first_any


def _bands(values: np.ndarray, cuts: Sequence[float] | np.ndarray) -> np.ndarray:
    return np.searchsorted(np.asarray(cuts, dtype=float), values.astype(float), side="right")


def coarsen(panel: Panel, settings: Settings) -> np.ndarray:
    """Return one stratum number per household from its coarsened baseline traits."""
    traits = panel.traits
    columns = []
    for name in CATEGORICAL_TRAITS:
        _levels, codes = np.unique(traits[name].astype(str), return_inverse=True)
        columns.append(codes)
    columns.append(_bands(traits["household_size"], SIZE_CUTS))
    columns.append(_bands(traits["deprivations"], DEPRIVATION_CUTS))
    income = traits["baseline_income"].astype(float)
    quantiles = np.linspace(0, 1, settings.income_bands + 1)[1:-1]
    cuts = np.unique(np.quantile(income, quantiles)) if len(income) else np.array([])
    columns.append(_bands(income, cuts))
    _keys, strata = np.unique(np.column_stack(columns), axis=0, return_inverse=True)
    return strata.reshape(-1)


def _cluster_se(psi: np.ndarray, clusters: np.ndarray, n_clusters: int) -> float:
    sums = np.bincount(clusters, weights=psi, minlength=n_clusters)
    used = int(np.count_nonzero(np.bincount(clusters[psi != 0], minlength=n_clusters)))
    if used < 2:
        return float("nan")
    return float(np.sqrt(used / (used - 1) * np.sum(sums**2)))


def _estimate(value: float, se: float, households: int = 0) -> Estimate:
    return Estimate(value, se, value - Z_95 * se, value + Z_95 * se, households)


def _balance_rows(
    panel: Panel,
    treated: np.ndarray,
    controls: np.ndarray,
    weights: np.ndarray,
    matched_treated: np.ndarray,
) -> list[BalanceRow]:
    rows: list[BalanceRow] = []
    variables: list[tuple[str, str, np.ndarray]] = []
    for name in CATEGORICAL_TRAITS:
        values = panel.traits[name].astype(str)
        for level in sorted(set(values[treated].tolist())):
            variables.append((name, level, (values == level).astype(float)))
    for name in NUMERIC_TRAITS:
        variables.append((name, "", panel.traits[name].astype(float)))
    any_matched = bool(matched_treated.any()) and float(weights[controls].sum()) > 0
    for name, level, x in variables:
        xt, xc = x[treated], x[controls]
        mean_t, mean_c = float(xt.mean()), float(xc.mean())
        spread = np.sqrt((xt.var() + xc.var()) / 2)
        smd_before = (mean_t - mean_c) / spread if spread > 0 else 0.0
        after_c: float | None = None
        smd_after: float | None = None
        if any_matched:
            mean_tm = float(x[matched_treated].mean())
            after_c = float(np.average(xc, weights=weights[controls]))
            smd_after = (mean_tm - after_c) / spread if spread > 0 else 0.0
        rows.append(BalanceRow(name, level, mean_t, mean_c, after_c, smd_before, smd_after))
    return rows


def _cell(
    outcome: np.ndarray,
    treated: np.ndarray,
    controls: np.ndarray,
    strata: np.ndarray,
    n_strata: int,
) -> tuple[float, np.ndarray, int] | None:
    """Return ATT, its influence function and the treated count for one (g, t) cell."""
    n_t = np.bincount(strata[treated], minlength=n_strata).astype(float)
    n_c = np.bincount(strata[controls], minlength=n_strata).astype(float)
    usable = (n_t > 0) & (n_c > 0)
    if not usable.any():
        return None
    sum_c = np.bincount(strata[controls], weights=outcome[controls], minlength=n_strata)
    mean_c = np.divide(sum_c, n_c, out=np.zeros(n_strata), where=n_c > 0)
    keep_t = treated & usable[strata]
    keep_c = controls & usable[strata]
    total_t = float(keep_t.sum())
    gap = outcome - mean_c[strata]
    att = float(gap[keep_t].sum() / total_t)
    psi = np.zeros(len(outcome))
    psi[keep_t] = (gap[keep_t] - att) / total_t
    share = np.divide(n_t, n_c, out=np.zeros(n_strata), where=n_c > 0)
    psi[keep_c] = -share[strata[keep_c]] * gap[keep_c] / total_t
    return att, psi, int(total_t)


def analyse_kind(
    panel: Panel,
    treatment_rows: Sequence[tuple[int, str, int]],
    kind: str,
    settings: Settings | None = None,
) -> KindResult:
    """Return the matched staggered difference-in-differences of one package kind."""
    settings = settings or Settings()
    years = panel.years
    first_kind, first_any = first_years(panel, treatment_rows, kind)
    strata = coarsen(panel, settings)
    n_strata = int(strata.max()) + 1 if len(strata) else 0
    _clusters, village = np.unique(panel.village, return_inverse=True)
    village = village.reshape(-1)
    n_clusters = int(village.max()) + 1 if len(village) else 0
    observed = ~np.isnan(panel.poor)
    not_poor = np.where(observed, 1.0 - np.nan_to_num(panel.poor), np.nan)
    # A household not yet reached by any package: its first year, or "never" (beyond the panel).
    never = max(years) + 1 if years else 1
    first_any_or_never = np.where(first_any == 0, never, first_any)
    # When a household may no longer be compared with: its own first package, or (comparison
    # "village") the first package that reached a household of its village.
    compared_until = first_any_or_never
    if settings.comparison == "village":
        reached = np.full(n_clusters, never, dtype=np.int64)
        np.minimum.at(reached, village, first_any_or_never)
        compared_until = np.minimum(first_any_or_never, reached[village])
    elif settings.comparison != "household":
        raise ValueError(f"unknown comparison {settings.comparison!r}")

    cohorts: list[CohortResult] = []
    cohort_psis: list[tuple[int, float, np.ndarray]] = []
    event_cells: dict[int, list[tuple[int, float, np.ndarray]]] = {}
    for g in sorted({int(y) for y in first_kind[first_kind > 0]}):
        in_cohort = (first_kind == g) & (first_any_or_never >= g)
        result = CohortResult(kind=kind, start_year=g, supported=int(in_cohort.sum()))
        cohorts.append(result)
        if g - 1 not in years:
            result.reason = _(
                "No census round the year before support started (%(year)s): there is no "
                "baseline to compare with."
            ) % {"year": g - 1}
            continue
        b = years.index(g - 1)
        poor_at_base = observed[:, b] & (panel.poor[:, b] == 1)
        treated = in_cohort & poor_at_base
        pool = poor_at_base & (compared_until > g)
        result.supported = int(treated.sum())
        n_t = np.bincount(strata[treated], minlength=n_strata)
        n_c = np.bincount(strata[pool], minlength=n_strata)
        matched_strata = (n_t > 0) & (n_c >= settings.min_stratum_controls)
        matched_treated = treated & matched_strata[strata]
        matched_pool = pool & matched_strata[strata]
        result.matched = int(matched_treated.sum())
        result.strata = int(matched_strata.sum())
        result.controls = int(matched_pool.sum())
        weights = np.zeros(len(strata))
        ratio = np.divide(n_t, n_c, out=np.zeros(n_strata), where=n_c > 0)
        weights[matched_pool] = ratio[strata[matched_pool]]
        if treated.any() and pool.any():
            result.balance = _balance_rows(panel, treated, pool, weights, matched_treated)
        if result.supported < settings.min_group:
            result.reason = _(
                "Only %(n)s supported households were poor the year before, fewer than the "
                "%(min)s needed for an estimate."
            ) % {"n": result.supported, "min": settings.min_group}
            continue
        if result.matched < settings.min_group:
            result.reason = _(
                "Only %(n)s of %(total)s supported households have comparable unsupported "
                "households (same commune group, region, household size, ethnicity, income "
                "and deprivations), fewer than the %(min)s needed for an estimate."
            ) % {"n": result.matched, "total": result.supported, "min": settings.min_group}
            continue
        post: list[tuple[float, np.ndarray]] = []
        for j, t in enumerate(years):
            if j == b:
                continue
            controls = (
                poor_at_base
                & (compared_until > max(t, g - 1))
                & ~in_cohort
                & matched_strata[strata]
                & observed[:, j]
            )
            cell_treated = matched_treated & observed[:, j]
            outcome = np.nan_to_num(not_poor[:, j] - not_poor[:, b])
            cell = _cell(outcome, cell_treated, controls, strata, n_strata)
            if cell is None:
                continue
            att, psi, count = cell
            se = _cluster_se(psi, village, n_clusters)
            period = PeriodEstimate(t - g, t, _estimate(att, se, count))
            if t < g:
                result.pre_periods.append(period)
            else:
                result.post_periods.append(period)
                post.append((att, psi))
            event_cells.setdefault(t - g, []).append((result.matched, att, psi))
        if not post:
            result.reason = _(
                "No census round after support started with households not yet supported to "
                "compare with."
            )
            continue
        att_g = float(np.mean([a for a, _psi in post]))
        psi_g = np.mean([p for _a, p in post], axis=0)
        result.att = _estimate(att_g, _cluster_se(psi_g, village, n_clusters), result.matched)
        cohort_psis.append((result.matched, att_g, psi_g))

    overall = _combine(cohort_psis, village, n_clusters)
    event_study = []
    for e in sorted(event_cells):
        combined = _combine(event_cells[e], village, n_clusters)
        if combined is not None:
            event_study.append(PeriodEstimate(e, None, combined))
    reason = ""
    if overall is None:
        reason = (
            _("No package of this kind reached any household in the census years.")
            if not cohorts
            else _("No start year has enough comparable households for an estimate.")
        )
    return KindResult(kind, cohorts, overall, event_study, reason)


def _combine(
    parts: Sequence[tuple[int, float, np.ndarray]], village: np.ndarray, n_clusters: int
) -> Estimate | None:
    if not parts:
        return None
    sizes = np.array([n for n, _a, _p in parts], dtype=float)
    weights = sizes / sizes.sum()
    value = float(sum(w * a for w, (_n, a, _p) in zip(weights, parts, strict=True)))
    psi = sum(w * p for w, (_n, _a, p) in zip(weights, parts, strict=True))
    return _estimate(value, _cluster_se(np.asarray(psi), village, n_clusters), int(sizes.sum()))
