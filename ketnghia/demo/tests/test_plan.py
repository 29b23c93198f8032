"""The demo plan, drawn from Kon Tum's real communes without touching the database."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from ketnghia.accounts.rules import Role
from ketnghia.demo.generator import (
    DEMO_PASSWORD,
    DEMO_USERS,
    KEY_COMMUNE_COUNT,
    PROGRAM_COMMUNE_COUNT,
    VILLAGE_COUNT,
    is_candidate,
    plan_demo,
)


@pytest.fixture(scope="module")
def plan(kon_tum):
    return plan_demo(kon_tum)


def test_program_has_53_rural_mountain_communes_of_which_20_key(plan, kon_tum):
    by_code = {c.code: c for c in kon_tum}
    assert len(kon_tum) == 102
    assert len(set(plan.program_communes)) == PROGRAM_COMMUNE_COUNT == 53
    assert len(set(plan.key_communes)) == KEY_COMMUNE_COUNT == 20
    assert set(plan.key_communes) <= set(plan.program_communes)
    for code in plan.program_communes:
        commune = by_code[code]
        assert commune.kind == "xa"
        assert commune.district_code not in {"608", "618"}
        assert is_candidate(commune)


def test_409_villages_each_under_a_program_commune(plan):
    assert len(plan.villages) == VILLAGE_COUNT == 409
    assert {v.commune_code for v in plan.villages} == set(plan.program_communes)
    for village in plan.villages:
        assert re.fullmatch(rf"{village.commune_code}-\d\d", village.code)
    assert len({v.code for v in plan.villages}) == 409
    names_per_commune = Counter((v.commune_code, v.name) for v in plan.villages)
    assert max(names_per_commune.values()) == 1


def test_regions_keep_kon_tums_published_totals(plan, kon_tum):
    assert set(plan.regions) == {c.code for c in kon_tum}
    assert Counter(plan.regions.values()) == {"I": 25, "II": 28, "III": 49}
    assert all(plan.regions[code] == "III" for code in plan.key_communes)
    in_program = Counter(plan.regions[code] for code in plan.program_communes)
    assert in_program["III"] > in_program["II"]
    urban = [c.code for c in kon_tum if c.kind != "xa"]
    assert {plan.regions[code] for code in urban} == {"I"}


def test_some_villages_are_especially_difficult(plan):
    flagged = sum(v.especially_difficult for v in plan.villages)
    assert 0 < flagged < len(plan.villages)


def test_twinning_is_one_to_one_with_the_program_communes(plan):
    organisations = [name for name, _code in plan.twinnings]
    communes = [code for _name, code in plan.twinnings]
    assert sorted(communes) == plan.program_communes
    assert len(set(organisations)) == len(organisations)


def test_one_user_per_role_each_with_a_jurisdiction(plan):
    assert sorted(u.role for u in plan.users) == sorted(Role.values)
    for user in plan.users:
        assert user.jurisdiction_code or user.organisation_name
        assert "(demo)" in user.full_name
    officer = next(u for u in plan.users if u.role == Role.COMMUNE_OFFICER)
    assert officer.jurisdiction_code in plan.program_communes


def test_the_plan_is_deterministic(kon_tum, plan):
    again = plan_demo(list(reversed(kon_tum)))
    assert again == plan
    assert plan_demo(kon_tum, seed=1).program_communes != plan.program_communes


def test_the_readme_logins_table_matches_the_plan(plan, kon_tum):
    readme = (Path(settings.PROJECT_DIR) / "README.md").read_text(encoding="utf-8")
    for username, _role, _name in DEMO_USERS:
        assert f"`{username}` | `{DEMO_PASSWORD}`" in readme
    officer = next(u for u in plan.users if u.role == Role.COMMUNE_OFFICER)
    commune = next(c for c in kon_tum if c.code == officer.jurisdiction_code)
    assert f"| {commune.name} (a program commune) |" in readme
