"""Invented people: names in each people's pattern, members that make sense, synthetic IDs."""

from __future__ import annotations

import random
import re

from hypothesis import given
from hypothesis import strategies as st

from ketnghia.demo import people
from ketnghia.households.ethnicities import ETHNIC_GROUP_NAMES


def _name(seed: int, ethnicity: str, sex: str, district: str = "615") -> str:
    rng = random.Random(seed)
    return people.person_name(rng, people.new_family(rng, ethnicity, district), sex)


def test_every_people_of_the_demo_is_an_official_group():
    codes = {code for shares in people.PEOPLES_BY_DISTRICT.values() for code in shares}
    assert codes | {people.KINH} <= set(ETHNIC_GROUP_NAMES)
    assert ETHNIC_GROUP_NAMES[people.XO_DANG] == "Xơ-đăng"
    assert ETHNIC_GROUP_NAMES[people.RO_MAM] == "Rơ-măm"


def test_highland_names_take_a_for_men_and_y_for_women():
    for seed in range(200):
        man = _name(seed, people.BA_NA, people.MALE)
        woman = _name(seed, people.BA_NA, people.FEMALE)
        assert re.fullmatch(r"A \S+", man), man
        assert re.fullmatch(r"Y \S+", woman), woman


def test_some_xo_dang_families_of_kon_plong_write_dinh_van_and_dinh_thi():
    names = [_name(seed, people.XO_DANG, people.MALE, "613") for seed in range(300)]
    assert any(name.startswith("Đinh Văn ") for name in names)
    assert any(name.startswith("A ") for name in names)
    elsewhere = [_name(seed, people.XO_DANG, people.MALE, "617") for seed in range(300)]
    assert not any(name.startswith("Đinh") for name in elsewhere)


def test_gia_rai_names_start_with_the_clan_and_kinh_names_have_three_parts():
    for seed in range(200):
        woman = _name(seed, people.GIA_RAI, people.FEMALE)
        assert woman.startswith(people.GIA_RAI_CLANS) and " H'" in woman, woman
        kinh = _name(seed, people.KINH, people.FEMALE)
        family, middle, *_given = kinh.split()
        assert family in people.KINH_FAMILY and middle in people.KINH_FEMALE_MIDDLE


@given(seed=st.integers(0, 100_000), year=st.integers(2007, 2025), age=st.integers(19, 72))
def test_a_household_has_one_head_first_and_children_born_to_adults(seed, year, age):
    rng = random.Random(seed)
    family = people.new_family(rng, people.XO_DANG, "617")
    members = people.household_members(
        rng, family, "617", formed_year=year, head_age=age, last_year=2025
    )
    head = members[0]
    assert head.relation == people.HEAD
    assert [m.relation for m in members].count(people.HEAD) == 1
    for member in members:
        assert member.birth_year <= 2025
        if member.relation == people.CHILD:
            assert member.birth_year - head.birth_year >= 19
    children = [m.birth_year for m in members if m.relation == people.CHILD]
    assert len(children) == len(set(children))  # one birth a year at most


def test_a_grown_child_founds_a_household_as_its_head():
    rng = random.Random(3)
    child = people.PersonPlan("A Rin", people.MALE, 1990, people.XO_DANG, people.CHILD, 2014)
    family = people.new_family(rng, people.XO_DANG, "617")
    members = people.household_members(
        rng, family, "617", formed_year=2014, head_age=24, last_year=2025, head=child
    )
    assert members[0] == child._replace(relation=people.HEAD, moved_out=None)
    assert child.present(2013) and not child.present(2014)


def test_personal_ids_are_synthetic_well_formed_and_unique():
    numbers = [people.personal_id(i, people.MALE, 1980 + i % 40) for i in range(300_000)]
    assert len(set(numbers)) == len(numbers)
    for number in numbers[:1000]:
        assert re.fullmatch(r"000[02]\d{8}", number)
    assert people.personal_id(0, people.FEMALE, 2003)[:6] == "000303"
    assert people.has_id_card(2011, 2025) and not people.has_id_card(2012, 2025)
