"""The indicators' SQL and the census's one rule name the same official and figure rounds.

`indicators.facts._figure_rounds` says "the year's official round" in SQL (set-based over every
round); `census.rules.official_rounds` / `figure_rounds` are the rule. Rounds with every
shape the rule distinguishes: one approved revision, an approved revision with a correction
in progress, two approved revisions, and a year with no approved revision.
"""

from __future__ import annotations

import pytest

from ketnghia.census import rules
from ketnghia.census import services as census_services
from ketnghia.census.models import CensusRound, RoundState
from ketnghia.census.selectors import latest_official_round_ids, official_round_ids
from ketnghia.census.summaries import summaries_rebuild
from ketnghia.census.workflow import APPROVED_STATES
from ketnghia.indicators import facts
from ketnghia.indicators.tests import fixture

pytestmark = pytest.mark.django_db


def test_the_sql_and_the_rule_agree_on_every_shape_of_revisions(tree, users):
    small = fixture.small_program(tree, users)
    first = CensusRound.objects.get(commune=tree.dak_mar, year=2015)
    second = census_services.census_round_revise(census_round=first, actor=None)
    CensusRound.objects.filter(pk=second.pk).update(state=RoundState.DISTRICT_ACCEPTED)
    second.refresh_from_db()
    third = census_services.census_round_revise(census_round=second, actor=None)  # in progress
    summaries_rebuild()

    rows = list(CensusRound.objects.values_list("id", "commune_id", "year", "revision", "state"))
    as_rule = [(pk, c, y, r, state in APPROVED_STATES) for pk, c, y, r, state in rows]
    official = rules.official_rounds(as_rule)
    figure = rules.figure_rounds(as_rule)
    sql = facts._figure_rounds(None)
    # The SQL answers for the rounds with a summary (the summaries keep the figure rounds);
    # it reads every round of the year, so a later approved revision still counts.
    summarised = {row[0] for row in sql}
    assert {row[0] for row in sql if row[3]} == set(official.values()) & summarised
    assert {row[0] for row in sql if row[4]} == set(figure.values()) & summarised
    assert {second.pk, small.pending.pk} <= summarised
    # The shapes: the second approved revision displaces the first, the correction in progress
    # does not displace the second; the year without an approved revision has no official
    # round and shows its latest revision while in progress.
    assert official[(tree.dak_mar.pk, 2015)] == second.pk
    assert figure[(tree.dak_mar.pk, 2015)] == second.pk
    assert third.pk not in official.values()
    assert (tree.dak_choong.pk, 2015) not in official
    assert figure[(tree.dak_choong.pk, 2015)] == small.pending.pk
    # The selector reads the same rule from the database.
    assert official_round_ids() == official
    latest = latest_official_round_ids(commune_ids=[tree.ngok_wang.pk, tree.dak_mar.pk], year=2030)
    assert latest == {
        tree.ngok_wang.pk: official[(tree.ngok_wang.pk, 2016)],
        tree.dak_mar.pk: second.pk,
    }


def test_latest_official_keeps_the_earlier_year_when_a_year_has_none():
    official = {(1, 2014): 10, (1, 2016): 12, (2, 2015): 20}
    assert rules.latest_official(official, 2015) == {1: 10, 2: 20}
    assert rules.latest_official(official, 2013) == {}
    assert rules.official_rounds([(1, 7, 2015, 1, True), (2, 7, 2015, 2, False)]) == {(7, 2015): 1}
    assert rules.figure_rounds([(1, 7, 2015, 1, False), (2, 7, 2015, 2, False)]) == {(7, 2015): 2}
