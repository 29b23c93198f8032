"""Households over the years: sizes, codes, who founds a household, who leaves."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from ketnghia.demo import people
from ketnghia.demo.households import CommuneFrame, VillageFrame, plan_households

COMMUNES = [
    CommuneFrame("23500", "Xã Ngọk Wang", "615"),
    CommuneFrame("23290", "Xã Đắk Choong", "610"),
    CommuneFrame("23600", "Xã Ia Tăng", "616"),
]
VILLAGES = [
    VillageFrame(f"{commune.code}-{n:02d}", f"Thôn {n}", "thon" if n % 2 else "lang", commune.code)
    for commune, count in zip(COMMUNES, (4, 8, 12), strict=True)
    for n in range(1, count + 1)
]


@pytest.fixture(scope="module")
def plans():
    return plan_households(random.Random(2007), COMMUNES, VILLAGES)


def test_more_villages_more_households(plans):
    in_2007 = Counter(p.commune_code for p in plans if p.present(2007))
    assert 330 <= in_2007["23500"] < in_2007["23290"] < in_2007["23600"] <= 880
    in_2025 = Counter(p.commune_code for p in plans if p.present(2025))
    for code, count in in_2007.items():
        assert 1.1 * count < in_2025[code] < 1.6 * count


def test_codes_are_unique_in_the_commune_and_name_the_village(plans):
    codes = Counter((p.commune_code, p.code) for p in plans)
    assert max(codes.values()) == 1
    for plan in plans:
        assert plan.code.split("-")[0] == plan.village_code.split("-")[1]
        assert plan.village_code.startswith(plan.commune_code)


def test_new_households_are_founded_by_a_grown_child_of_the_village(plans):
    founded = [p for p in plans if p.parent is not None]
    assert founded
    for plan in founded:
        parent = plans[plan.parent]
        assert parent.village_code == plan.village_code
        assert parent.registered_year < plan.registered_year
        assert parent.ethnicity == plan.ethnicity
        head = plan.members[0]
        moved = [m for m in parent.members if m.moved_out == plan.registered_year]
        assert (head.full_name, head.birth_year) in {(m.full_name, m.birth_year) for m in moved}


def test_households_leave_and_nobody_is_born_after(plans):
    left = [p for p in plans if p.left_year is not None]
    assert 0.03 * len(plans) < len(left) < 0.2 * len(plans)
    for plan in left:
        assert not plan.present(plan.left_year)
        assert all(m.birth_year < plan.left_year for m in plan.members)


def test_villages_are_mostly_of_one_people_with_some_kinh(plans):
    for village in VILLAGES:
        peoples = Counter(p.ethnicity for p in plans if p.village_code == village.code)
        main, count = peoples.most_common(1)[0]
        assert main != people.KINH
        assert count > 0.7 * sum(peoples.values())


def test_the_same_seed_gives_the_same_households(plans):
    assert plan_households(random.Random(2007), COMMUNES, VILLAGES) == plans
