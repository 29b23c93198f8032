"""The twinning proposal's solve time: a commune of 3,000 poor households, 150 Party members.

Pure (no database): `ketnghia.twinning.proposals.propose`, the min-cost flow the officer's
proposal page runs, on a seeded commune of 12 villages with members at uneven loads.
"""

from __future__ import annotations

import random
import time

HOUSEHOLDS = 3_000
MEMBERS = 150
VILLAGES = 12
CAP = 25
TARGET_SECONDS = 1.0


def measure(households: int = HOUSEHOLDS, members: int = MEMBERS) -> tuple[float, int, int]:
    """Return (seconds, households covered, households left) of one proposal."""
    from ketnghia.twinning.proposals import Member, NeedyHousehold, propose

    rng = random.Random(2015)
    needy = [NeedyHousehold(i, f"H{i:05d}", rng.randint(1, VILLAGES)) for i in range(households)]
    people = [
        Member(i, f"Đảng viên {i}", rng.randint(1, VILLAGES), rng.randint(0, 5), CAP)
        for i in range(members)
    ]
    started = time.perf_counter()
    proposal = propose(needy, people)
    return time.perf_counter() - started, len(proposal.rows), len(proposal.uncovered)


def add_lines(report, seconds_format) -> None:
    """Add the proposal line to `make bench`'s table."""
    seconds, covered, left = measure()
    report.add(
        f"twinning proposal, {HOUSEHOLDS:,} households, {MEMBERS} Party members (min-cost flow)",
        "none",
        f"{HOUSEHOLDS:,}",
        seconds_format(seconds),
        f"{covered:,} covered, {left:,} left",
        f"< {TARGET_SECONDS:.0f} s",
        "met" if seconds < TARGET_SECONDS else "NOT met",
    )


if __name__ == "__main__":
    print(measure())
