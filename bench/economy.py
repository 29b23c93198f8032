"""The outcome analysis of one package kind: ≈ 44,000 households × 9 years (the demo's size)
and ≈ 430,000 (a full province).

Pure (no database): `ketnghia.economy.outcomes.analyse_kind` — coarsened exact matching, the
balance table, every group-time effect with its village-clustered influence function, the
event study — on a seeded synthetic panel with a planted effect (`economy.synthetic`).
"""

from __future__ import annotations

import time

YEARS = tuple(range(2016, 2025))  # 9 census years
COHORTS = (2018, 2019, 2020, 2021, 2022)
SIZES = ((44_000, 400, 10.0), (430_000, 4_000, 60.0))  # households, villages, target seconds
EFFECT = 0.08


def measure(households: int, villages: int) -> tuple[float, float, float, float]:
    """Return (seconds, estimate, interval low, interval high) of one analysis."""
    from ketnghia.economy.outcomes import analyse_kind
    from ketnghia.economy.synthetic import synthetic_panel

    data = synthetic_panel(
        2026, effect=EFFECT, households=households, villages=villages, years=YEARS, cohorts=COHORTS
    )
    started = time.perf_counter()
    result = analyse_kind(data.panel, data.rows, "breeding_livestock")
    seconds = time.perf_counter() - started
    assert result.att is not None
    return seconds, result.att.value, result.att.ci_low, result.att.ci_high


def add_lines(report, seconds_format) -> None:
    """Add the outcome-analysis lines to `make bench`'s table."""
    for households, villages, target in SIZES:
        seconds, value, low, high = measure(households, villages)
        report.add(
            f"outcome analysis, one package kind, {households:,} households × {len(YEARS)} years",
            "none",
            f"{households:,}",
            seconds_format(seconds),
            f"planted {EFFECT:+.2f}, estimate {value:+.3f} [{low:+.3f}, {high:+.3f}]",
            f"< {target:.0f} s",
            "met" if seconds < target else "NOT met",
        )


if __name__ == "__main__":
    import django

    django.setup()
    for households, villages, _target in SIZES:
        print(households, measure(households, villages))
