"""Pure revision rules of a program's commune list."""

from __future__ import annotations

from datetime import date

from ketnghia.programs.rules import (
    CommuneFacts,
    Membership,
    last_revision_date,
    plan_revision,
    revision_problems,
)

D2007 = date(2007, 1, 1)
D2012 = date(2012, 1, 1)


def test_first_revision_opens_every_commune_with_its_key_status():
    plan = plan_revision(memberships=[], communes=[1, 2, 3], key_communes=[2], valid_from=D2007)
    assert plan.open == [(1, False), (2, True), (3, False)]
    assert not (plan.close or plan.delete or plan.reopen or plan.set_key)


def test_same_list_again_changes_nothing():
    rows = [Membership(10, 1, False, D2007), Membership(11, 2, True, D2007)]
    plan = plan_revision(memberships=rows, communes=[1, 2], key_communes=[2], valid_from=D2012)
    assert plan.is_empty


def test_later_revision_closes_dropped_opens_added_and_rekeys_by_new_row():
    rows = [Membership(10, 1, False, D2007), Membership(11, 2, True, D2007)]
    plan = plan_revision(memberships=rows, communes=[2, 3], key_communes=[], valid_from=D2012)
    assert sorted(plan.close) == [10, 11]
    assert plan.open == [(2, False), (3, False)]


def test_same_day_revision_corrects_in_place():
    rows = [Membership(10, 1, False, D2007), Membership(11, 2, True, D2007)]
    plan = plan_revision(memberships=rows, communes=[1], key_communes=[1], valid_from=D2007)
    assert plan.delete == [11]
    assert plan.set_key == [(10, True)]
    assert not plan.open


def test_same_day_correction_reopens_what_that_day_closed():
    rows = [
        Membership(10, 1, False, D2007, date(2011, 12, 31)),
        Membership(11, 1, True, D2012),
        Membership(12, 2, False, D2007, date(2011, 12, 31)),
    ]
    plan = plan_revision(memberships=rows, communes=[1, 2], key_communes=[], valid_from=D2012)
    assert plan.delete == [11]
    assert sorted(plan.reopen) == [10, 12]
    assert not plan.open


def test_last_revision_counts_closings_too():
    rows = [Membership(10, 1, False, D2007, date(2011, 12, 31))]
    assert last_revision_date(rows) == D2012
    assert last_revision_date([]) is None


def _facts(id: int, level: str = "commune", **dates) -> CommuneFacts:
    return CommuneFacts(id=id, label=f"Unit {id}", level=level, **dates)


def test_problems_name_each_bad_unit():
    problems = revision_problems(
        communes=[_facts(1), _facts(2, "village"), _facts(1)],
        key_communes=[_facts(3)],
        valid_from=D2007,
        program_start=D2007,
        program_end=None,
        last_revision=None,
    )
    assert len(problems) == 3
    assert any("Unit 2" in p and "not a commune" in p for p in problems)
    assert any("Unit 1" in p and "twice" in p for p in problems)
    assert any("Unit 3" in p and "key commune" in p for p in problems)


def test_problems_on_dates():
    problems = revision_problems(
        communes=[_facts(1, valid_from=date(2015, 1, 1))],
        key_communes=[],
        valid_from=date(2006, 1, 1),
        program_start=D2007,
        program_end=date(2005, 1, 1),
        last_revision=D2012,
    )
    assert len(problems) == 4


def test_a_valid_revision_has_no_problems():
    assert not revision_problems(
        communes=[_facts(1), _facts(2)],
        key_communes=[_facts(2)],
        valid_from=D2012,
        program_start=D2007,
        program_end=None,
        last_revision=D2012,
    )
