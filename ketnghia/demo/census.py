"""The demo's poverty census 2007–2025, calibrated to the figures of the 2016 article. Pure.

How the numbers come about:

1. **Targets.** A designed path of the program-wide poor-household rate (`PROGRAM_PATH`) falls
   within each standard's period and jumps where the standard changes (2011, 2016, 2022), as
   real series do. Each commune gets its own 2015 rate so that the article's figures hold
   (34 % over the 53 communes, 18 communes under 30 %, the 20 key communes at 44 %), its own
   2007 rate (57.7 % over all, key communes poorer), and a path between them; after 2015 each
   commune keeps most of its distance from the program path.
2. **Households.** Each household has a welfare score that moves from year to year (an AR(1)
   process), so households exit poverty, fall into it for the first time and fall back, and a
   "living conditions" score; from 2016 both drive which indicators of the standard it is
   deprived on (each indicator a persistent draw, so a latrine once built stays built).
3. **Incomes.** A household's monthly income per person is the commune's income level of the
   year times a spread from its welfare score, rounded up to 1,000 VND. For each commune and
   year the level is set so that exactly the target number of households falls under the
   standard's poor line, given each household's deprivations (rounding up to 1,000 keeps every
   household on the same side of every line, the lines being whole thousands).
4. **Statuses** come only from `classify_many` on the stored facts: the demo never says a
   household is poor where the rules would not.

Incomes are scaled each year to the rate path; where the standard changes the level moves with
it, so an income series read across a break in series jumps as the rates do.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ketnghia.demo.households import FIRST_YEAR, LAST_YEAR, HouseholdPlan
from ketnghia.poverty.domain import Area, Standard
from ketnghia.poverty.rules import Status, classify, classify_many, deprivation_matrix_from_bits
from ketnghia.poverty.standards import get_standard

YEARS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))
# The standard of each census year (domain.md §5); vn-2022 also covers 2026.
STANDARD_PERIODS: tuple[tuple[str, int, int], ...] = (
    ("vn-2006", 2007, 2010),
    ("vn-2011", 2011, 2015),
    ("vn-2016", 2016, 2021),
    ("vn-2022", 2022, 2025),
)
# The program communes are rural communes (xã) and their villages rural.
AREA = Area.RURAL.value

# Program-wide poor-household rate (%) the demo is designed to show. 2007 and 2015 are the
# article's (above 57 %, below 35 %); the rest is invented: a fall within each period and a
# jump where a higher standard starts.
PROGRAM_PATH: dict[int, float] = {
    2007: 57.7, 2008: 54.0, 2009: 49.6, 2010: 45.2,
    2011: 61.5, 2012: 55.5, 2013: 48.6, 2014: 41.3, 2015: 34.0,
    2016: 52.0, 2017: 47.2, 2018: 42.4, 2019: 37.8, 2020: 33.4, 2021: 29.5,
    2022: 46.5, 2023: 41.2, 2024: 36.3, 2025: 31.8,
}  # fmt: skip
REVIEW_YEAR = 2015
# The article's 2015 figures: 18 of the 53 communes under 30 %, the 20 key communes at 44 %.
COMMUNES_UNDER_30 = 18
KEY_RATE_2015 = 44.0
# Ranges of the designed 2015 rates (%): communes under 30 % stay clearly under, the others
# clearly over, so the count of 18 does not hang on one household.
LOW_RANGE, HIGH_RANGE, KEY_RANGE = (12.0, 28.5), (31.5, 55.0), (32.0, 62.0)

WELFARE_PERSISTENCE = 0.92  # year-on-year correlation of a household's welfare score
INCOME_SPREAD = (0.55, 0.70)  # log-income spread in 2007 and 2025 (incomes diversify)
INCOME_STEP = 1000  # incomes are recorded in whole thousands of đồng
# Base share of households deprived on each indicator when its standard starts (invented, high
# as in the province's poorest communes: latrines and housing first); fewer each year after.
INDICATOR_PREVALENCE: dict[str, float] = {
    "health_services": 0.18,
    "health_insurance": 0.06,
    "adult_education": 0.45,
    "child_schooling": 0.15,
    "housing_quality": 0.45,
    "housing_area": 0.35,
    "water_source": 0.40,
    "latrine": 0.65,
    "telecom": 0.35,
    "information_assets": 0.40,
    "employment": 0.45,
    "dependants": 0.40,
    "nutrition": 0.40,
    "information_means": 0.45,
}
DEPRIVATION_TREND = 0.10  # fall of an indicator's log-odds per year within a standard
DEPRIVATION_WEIGHT = 1.7  # how strongly welfare and living conditions drive deprivations


@dataclass(frozen=True)
class CommuneInfo:
    """What the census plan needs to know about one program commune."""

    code: str
    is_key: bool
    region: str  # 2016–2020 region (I, II, III): region-II communes are the better off


@dataclass(frozen=True)
class PlantedSupport:
    """Support whose effect on leaving poverty the demo plants (synthetic, for the outcome page).

    `starts[commune code]` lists the years a round of the package reached every household of
    the commune that was poor the year before. From that year on, `effect` of those households
    (the share of the ones still present) that would have been poor are not: an exact
    difference of `effect` in their poverty-exit rate, year by year.
    """

    effect: float
    starts: Mapping[str, Sequence[int]]


# A separate random stream for the planted effect, so the rest of the census stays as it is.
PLANT_SEED_OFFSET = 19


@dataclass
class YearPlan:
    """One census year over all program communes: one array entry per household present."""

    year: int
    standard_code: str
    household: np.ndarray  # index into the household plan list
    member_count: np.ndarray
    income: np.ndarray  # monthly income per person, VND
    deprivations: np.ndarray  # bit mask over the standard's indicators (bit 0 = first)
    deprivation_count: np.ndarray
    status: np.ndarray
    rule: np.ndarray


def standard_code_for(year: int) -> str:
    """Return the code of the standard the demo uses for a census of `year`."""
    for code, first, last in STANDARD_PERIODS:
        if first <= year <= last:
            return code
    raise ValueError(f"no demo standard for {year}")


def _logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _bisect(mean_after: Callable[[float], float], goal: float, lo: float, hi: float) -> float:
    """Return the shift in [lo, hi] at which `mean_after(shift)` (non-decreasing) meets `goal`."""
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mean_after(mid) < goal else (lo, mid)
    shift = (lo + hi) / 2
    if abs(mean_after(shift) - goal) > 0.05:
        raise ValueError(f"cannot reach a weighted rate of {goal}")
    return shift


def plan_targets(
    rng: np.random.Generator,
    communes: Sequence[CommuneInfo],
    counts: Mapping[int, np.ndarray],
) -> np.ndarray:
    """Return the designed poor-household rate (%) per commune (rows) and year (columns).

    `counts[year]` holds the number of households of each commune that year; rates are
    household-weighted, like the article's.
    """
    n = len(communes)
    is_key = np.array([c.is_key for c in communes])
    n15, n07 = counts[REVIEW_YEAR].astype(float), counts[FIRST_YEAR].astype(float)
    # The communes that end 2015 under 30 %: region-II communes first (the better off), then
    # others drawn at random among the non-key communes.
    non_key = [i for i in range(n) if not is_key[i]]
    order = sorted(non_key, key=lambda i: (communes[i].region != "II", rng.random()))
    low = np.zeros(n, dtype=bool)
    low[order[:COMMUNES_UNDER_30]] = True
    drawn = np.where(
        is_key,
        rng.uniform(36, 53, n),
        np.where(low, rng.uniform(16, 28, n), rng.uniform(31.5, 42, n)),
    )

    def shifted(shift: float) -> np.ndarray:
        # Each group shifted alike and kept in its range, on its side of 30 %.
        return np.where(
            is_key,
            np.clip(drawn + shift, *KEY_RANGE),
            np.where(low, np.clip(drawn + shift, *LOW_RANGE), np.clip(drawn + shift, *HIGH_RANGE)),
        )

    # The key communes together at 44 %, then the others at what leaves 34 % over all.
    key_shift = _bisect(
        lambda s: np.average(shifted(s)[is_key], weights=n15[is_key]), KEY_RATE_2015, -50, 50
    )
    others = (PROGRAM_PATH[REVIEW_YEAR] * n15.sum() - KEY_RATE_2015 * n15[is_key].sum()) / n15[
        ~is_key
    ].sum()
    other_shift = _bisect(
        lambda s: np.average(shifted(s)[~is_key], weights=n15[~is_key]), others, -50, 50
    )
    r15 = np.where(is_key, shifted(key_shift), shifted(other_shift))
    # 2007: much the same order of communes, key communes a little further behind.
    spread = _logit(r15 / 100) + rng.normal(0, 0.2, n) + np.where(is_key, 0.15, 0.0)
    shift07 = _bisect(
        lambda s: 100 * np.average(_sigmoid(spread + s), weights=n07),
        PROGRAM_PATH[FIRST_YEAR],
        -5,
        5,
    )
    r07 = 100 * _sigmoid(spread + shift07)
    # Each commune's distance from the program path (in log-odds), moving from its 2007 to its
    # 2015 value, then kept with a slow drift towards the path.
    off07 = _logit(r07 / 100) - _logit(PROGRAM_PATH[FIRST_YEAR] / 100)
    off15 = _logit(r15 / 100) - _logit(PROGRAM_PATH[REVIEW_YEAR] / 100)
    rates = np.zeros((n, len(YEARS)))
    for column, year in enumerate(YEARS):
        if year == FIRST_YEAR:
            rates[:, column] = r07
            continue
        if year == REVIEW_YEAR:
            rates[:, column] = r15
            continue
        if year < REVIEW_YEAR:
            share = (year - FIRST_YEAR) / (REVIEW_YEAR - FIRST_YEAR)
            offset = off07 + (off15 - off07) * share
        else:
            offset = off15 * 0.97 ** (year - REVIEW_YEAR)
        offset = offset + rng.normal(0, 0.06, n)
        rates[:, column] = 100 * _sigmoid(_logit(PROGRAM_PATH[year] / 100) + offset)
    return rates


def _poverty_lines(standard: Standard) -> np.ndarray:
    """Return, per deprivation count 0..K, the highest income that is still poor (-1: never).

    Read off the scalar `classify` at the standard's own lines, so a standard's rule is never
    restated here.
    """
    codes = standard.indicator_codes
    thresholds = standard.thresholds(AREA)
    lines = sorted(
        {v for v in (thresholds.poor, thresholds.near_poor, thresholds.average) if v is not None}
    )
    result = np.full(len(codes) + 1, -1, dtype=np.int64)
    for count in range(len(codes) + 1):
        for line in lines:
            found = classify(
                standard,
                area=AREA,
                monthly_income_per_person=line,
                deprivations=set(codes[:count]),
            )
            if found.status == Status.POOR:
                result[count] = line
    return result


def _welfare(
    rng: np.random.Generator, households: Sequence[HouseholdPlan]
) -> tuple[np.ndarray, np.ndarray]:
    """Return the welfare score per household and year, and a persistent living-conditions score.

    A household founded later starts partly from its parent household's score, a little lower
    (young households start with less).
    """
    count = len(households)
    registered = np.array([h.registered_year for h in households])
    parent = np.array([-1 if h.parent is None else h.parent for h in households])
    scores = np.zeros((count, len(YEARS)))
    scores[:, 0] = rng.standard_normal(count)
    rho = WELFARE_PERSISTENCE
    for column in range(1, len(YEARS)):
        noise = rng.standard_normal(count)
        scores[:, column] = rho * scores[:, column - 1] + math.sqrt(1 - rho * rho) * noise
        founded = np.flatnonzero(registered == YEARS[column])
        if len(founded):
            start = 0.45 * scores[parent[founded], column] + 0.89 * rng.standard_normal(
                len(founded)
            )
            scores[founded, column] = start - 0.2
    conditions = 0.6 * scores[:, 0] + 0.8 * rng.standard_normal(count)
    return scores, conditions


def _income_score(z: np.ndarray) -> np.ndarray:
    """Return the welfare score with both tails pressed in (monotone: ranks unchanged).

    Without it the poorest households would report a few tens of thousands of đồng a month
    and the best-off a few tens of millions.
    """
    pressed = np.where(z > -1.0, z, -1.0 + 0.5 * (z + 1.0))
    return np.where(pressed < 1.5, pressed, 1.5 + 0.5 * (pressed - 1.5))


def _deprivations(
    standard: Standard,
    year: int,
    welfare: np.ndarray,
    conditions: np.ndarray,
    commune_effect: np.ndarray,
    draws: Mapping[str, np.ndarray],
) -> np.ndarray:
    """Return the deprivation bit masks of households under `standard` in `year`."""
    pressure = DEPRIVATION_WEIGHT * (0.85 * -welfare + 0.55 * conditions + commune_effect)
    masks = np.zeros(len(welfare), dtype=np.int64)
    for bit, code in enumerate(standard.indicator_codes):
        base = _logit(INDICATOR_PREVALENCE.get(code, 0.25))
        odds = base - 0.6 - DEPRIVATION_TREND * (year - standard.first_year) + pressure
        deprived = draws[code] < _sigmoid(odds)
        masks |= deprived.astype(np.int64) << bit
    return masks


def _member_counts(households: Sequence[HouseholdPlan]) -> np.ndarray:
    """Return how many members each household has in each year: born, and not moved out."""
    rows, starts, ends = [], [], []
    for index, household in enumerate(households):
        for member in household.members:
            rows.append(index)
            starts.append(member.birth_year)
            ends.append(member.moved_out or LAST_YEAR + 1)
    span = len(YEARS)
    start = np.clip(np.array(starts) - FIRST_YEAR, 0, span)
    end = np.clip(np.array(ends) - FIRST_YEAR, 0, span)
    changes = np.zeros((len(households), span + 1), dtype=np.int64)
    np.add.at(changes, (np.array(rows), start), 1)
    np.add.at(changes, (np.array(rows), end), -1)
    return np.maximum(np.cumsum(changes, axis=1)[:, :span], 1)


def _popcount(masks: np.ndarray, bits: int) -> np.ndarray:
    return ((masks[:, None] >> np.arange(bits)) & 1).sum(axis=1)


def _income_levels(
    cutoffs: np.ndarray, commune: np.ndarray, targets: np.ndarray, communes: int
) -> np.ndarray:
    """Return per commune the log income level that makes exactly `targets[c]` households poor.

    A household is poor when the log level is at most its cutoff (its poor line less its
    spread), so the level goes between the k-th and (k+1)-th highest cutoffs of the commune.
    """
    levels = np.zeros(communes)
    order = np.lexsort((-cutoffs, commune))
    starts = np.searchsorted(commune[order], np.arange(communes + 1))
    for c in range(communes):
        ranked = cutoffs[order[starts[c] : starts[c + 1]]]
        finite = ranked[np.isfinite(ranked)]
        k = int(targets[c])
        if len(finite) == 0:
            levels[c] = 0.0
        elif k <= 0:
            levels[c] = finite[0] + 0.5
        elif k >= len(finite):
            levels[c] = finite[-1] - 0.05
        else:
            levels[c] = (finite[k - 1] + finite[k]) / 2
    return levels


def plan_census(
    seed: int,
    communes: Sequence[CommuneInfo],
    households: Sequence[HouseholdPlan],
    planted: PlantedSupport | None = None,
) -> tuple[dict[int, YearPlan], dict[str, dict[int, float]]]:
    """Return every household's facts and status in each census year, and the designed rates.

    With `planted`, supported households leave poverty more often (`plant_support`); every
    commune keeps exactly its number of households of each status.
    """
    rng = np.random.default_rng(seed)
    index_of = {c.code: i for i, c in enumerate(communes)}
    commune = np.array([index_of[h.commune_code] for h in households])
    registered = np.array([h.registered_year for h in households])
    left = np.array([h.left_year or LAST_YEAR + 1 for h in households])
    members = _member_counts(households)
    present = {year: np.flatnonzero((registered <= year) & (year < left)) for year in YEARS}
    counts = {
        year: np.bincount(commune[rows], minlength=len(communes)) for year, rows in present.items()
    }
    rates = plan_targets(rng, communes, counts)
    welfare, conditions = _welfare(rng, households)
    # Poorer communes lack more: water, latrines and housing go with the commune's poverty.
    review = YEARS.index(REVIEW_YEAR)
    effect = 0.6 * (_logit(rates[:, review] / 100) - _logit(PROGRAM_PATH[REVIEW_YEAR] / 100))
    effect = (effect + rng.normal(0, 0.1, len(communes)))[commune]
    codes = {code for code in INDICATOR_PREVALENCE}
    draws = {code: rng.random(len(households)) for code in sorted(codes)}

    years: dict[int, YearPlan] = {}
    for column, year in enumerate(YEARS):
        standard = get_standard(standard_code_for(year))
        rows = present[year]
        z = welfare[rows, column]
        bits = len(standard.indicator_codes)
        if bits:
            masks = _deprivations(
                standard,
                year,
                z,
                conditions[rows],
                effect[rows],
                {k: v[rows] for k, v in draws.items()},
            )
        else:
            masks = np.zeros(len(rows), dtype=np.int64)
        dep_counts = _popcount(masks, bits) if bits else np.zeros(len(rows), dtype=np.int64)
        spread = INCOME_SPREAD[0] + (INCOME_SPREAD[1] - INCOME_SPREAD[0]) * column / (
            len(YEARS) - 1
        )
        score = spread * _income_score(z)
        lines = _poverty_lines(standard)[dep_counts]
        with np.errstate(divide="ignore"):
            cutoffs = np.where(lines > 0, np.log(np.maximum(lines, 1)), -np.inf) - score
        wanted = np.rint(rates[:, column] / 100 * counts[year]).astype(int)
        levels = _income_levels(cutoffs, commune[rows], wanted, len(communes))
        raw = np.exp(levels[commune[rows]] + score)
        incomes = (np.ceil(raw / INCOME_STEP) * INCOME_STEP).astype(np.int64)
        result = classify_many(
            standard,
            np.full(len(rows), AREA, dtype=object),
            incomes,
            deprivation_matrix_from_bits(masks, bits) if bits else None,
        )
        years[year] = YearPlan(
            year=year,
            standard_code=standard.code,
            household=rows,
            member_count=members[rows, column],
            income=incomes,
            deprivations=masks,
            deprivation_count=result.deprivation_count,
            status=result.status,
            rule=result.rule,
        )
    if planted is not None:
        plant_support(years, commune, [c.code for c in communes], planted, seed)
    targets = {
        c.code: {year: float(rates[i, column]) for column, year in enumerate(YEARS)}
        for i, c in enumerate(communes)
    }
    return years, targets


def plant_support(
    years: Mapping[int, YearPlan],
    commune: np.ndarray,
    codes: Sequence[str],
    planted: PlantedSupport,
    seed: int,
) -> np.ndarray:
    """Lift supported households out of poverty, in place; return each household's start year.

    The cohort of a commune's round in year `g`: its households poor in `g - 1` that no
    earlier round of the package reached (what the round's target rule picks). In each year
    `t >= g`, `round(effect × present)` of the cohort's households that are poor (the same
    households every year, in a fixed random order) get an income just above their poor
    line; as many unsupported households of the commune with the status the lifted ones take,
    the nearest to the line, get an income on it. So each commune keeps its count of every
    status (the article's figures do not move) and the cohort's exit rate is `effect` higher
    than without support. Incomes stay whole thousands; statuses are `classify_many`'s.
    """
    rng = np.random.default_rng(seed + PLANT_SEED_OFFSET)
    order = rng.random(len(commune))  # which supported households support lifts first
    start = np.zeros(len(commune), dtype=np.int64)  # first year the package reached, 0 never
    index_of = {code: i for i, code in enumerate(codes)}
    rounds = sorted(
        (year, index_of[code])
        for code, starts in planted.starts.items()
        if code in index_of
        for year in starts
    )
    poor = Status.POOR.value
    for year in YEARS:
        previous = years.get(year - 1)
        for _year, c in (r for r in rounds if r[0] == year and previous is not None):
            assert previous is not None
            rows = previous.household[
                (commune[previous.household] == c) & (previous.status == poor)
            ]
            rows = rows[start[rows] == 0]
            start[rows] = year
        if start.any():
            _lift(years[year], commune, start, order, planted.effect)
    return start


def _lift(
    plan: YearPlan, commune: np.ndarray, start: np.ndarray, order: np.ndarray, effect: float
) -> None:
    """Apply the planted effect to one census year (see `plant_support`)."""
    standard = get_standard(plan.standard_code)
    bits = len(standard.indicator_codes)
    lines = _poverty_lines(standard)[plan.deprivation_count]
    rows = plan.household
    started = start[rows]
    where = commune[rows]
    poor = Status.POOR.value
    lifted_all: list[np.ndarray] = []
    lowered_all: list[np.ndarray] = []
    taken = np.zeros(len(rows), dtype=bool)
    for c, g in sorted(
        {(int(a), int(b)) for a, b in zip(where[started > 0], started[started > 0], strict=True)}
    ):
        if g > plan.year:
            continue
        cohort = np.flatnonzero((where == c) & (started == g))
        wanted = round(effect * len(cohort))
        candidates = cohort[plan.status[cohort] == poor]
        candidates = candidates[np.argsort(order[rows[candidates]], kind="stable")][:wanted]
        if not len(candidates):
            continue
        new_status = classify_many(
            standard,
            np.full(len(candidates), AREA, dtype=object),
            lines[candidates] + INCOME_STEP,
            deprivation_matrix_from_bits(plan.deprivations[candidates], bits) if bits else None,
        ).status
        # Unsupported households of the commune, nearest above their poor line, take the
        # places the lifted ones leave: first one of each status the lifted ones take; where
        # there are too few, any other that is not poor, whose income the lifted one takes.
        left = np.ones(len(candidates), dtype=bool)
        for status in [*sorted(set(new_status.tolist())), None]:
            mask = left & (new_status == status) if status is not None else left
            lifts = candidates[mask]
            same = plan.status == status if status is not None else plan.status != poor
            pool = np.flatnonzero((where == c) & (started == 0) & same & (lines > 0) & ~taken)
            pool = pool[np.argsort(plan.income[pool] - lines[pool], kind="stable")][: len(lifts)]
            lifts = lifts[: len(pool)]
            left[np.flatnonzero(mask)[: len(pool)]] = False
            taken[pool] = True
            taken[lifts] = True
            lifted_all.append(lifts)
            lowered_all.append(pool)
            plan.income[lifts] = np.maximum(lines[lifts] + INCOME_STEP, plan.income[pool])
            plan.income[pool] = lines[pool]
    if not lifted_all:
        return
    changed = np.concatenate([*lifted_all, *lowered_all])
    result = classify_many(
        standard,
        np.full(len(changed), AREA, dtype=object),
        plan.income[changed],
        deprivation_matrix_from_bits(plan.deprivations[changed], bits) if bits else None,
    )
    plan.status[changed] = result.status
    plan.rule[changed] = result.rule
    plan.deprivation_count[changed] = result.deprivation_count


# --- Figures (pure, for the report and the README) ------------------------------------------


def poverty_rate(
    plan: Mapping[int, YearPlan],
    households: Sequence[HouseholdPlan],
    year: int,
    communes: set[str] | None = None,
) -> float:
    """Return the household-weighted poor rate (%) of `year` over `communes` (all by default)."""
    year_plan = plan[year]
    keep = np.array(
        [communes is None or households[h].commune_code in communes for h in year_plan.household]
    )
    poor = (year_plan.status[keep] == Status.POOR.value).sum()
    return 100.0 * poor / max(1, keep.sum())
