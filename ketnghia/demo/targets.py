"""The demo's targets for nq04: what the program aimed at by its review year (invented)."""

from __future__ import annotations

from ketnghia.accounts.models import Actor
from ketnghia.indicators.services import target_set
from ketnghia.programs.models import Program

PROGRAM_CODE = "nq04"
# (indicator, year, target, baseline year): poverty under 35 % by 2015 (the article's
# "below 35 %"), the other figures as a plan might have put them. Baselines are read from
# the figures of the baseline year by the pages, so none is stored here.
TARGETS = (
    ("poverty_rate", 2015, 35.0, 2007),
    ("communes_below_30", 2015, 30.0, 2007),
    ("road_access_share", 2015, 100.0, 2007),
    ("communes_meeting_criteria", 2015, 40.0, 2007),
    ("villages_meeting_criteria", 2015, 25.0, 2007),
    ("poor_households_with_party_member", 2015, 95.0, 2007),
    ("poverty_rate", 2020, 25.0, 2016),
)


def write_targets(*, actor: Actor = None) -> int:
    """Store the demo targets (unchanged ones are not written again); return how many."""
    program = Program.objects.filter(code=PROGRAM_CODE).first()
    if program is None:
        return 0
    for indicator, year, target, baseline_year in TARGETS:
        target_set(
            program=program,
            indicator=indicator,
            year=year,
            target=target,
            baseline_year=baseline_year,
            note="Mục tiêu minh họa (demo)",
            actor=actor,
        )
    return len(TARGETS)
