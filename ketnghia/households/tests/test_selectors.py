"""Household reads: scoped like every other read, history without old values."""

from __future__ import annotations

import pytest
from django.utils import translation

from ketnghia.core.errors import NotFound
from ketnghia.core.gate import Action, scope_for
from ketnghia.households import selectors
from ketnghia.households.models import Household, Member


@pytest.fixture
def household(tree) -> Household:
    found = Household(commune=tree.ngok_wang, village=tree.village_a, code="H1", head_name="A Thư")
    found.save()
    Member.objects.create(
        household=found,
        full_name="A Thư",
        sex="male",
        ethnicity="14",
        relation="head",
        personal_id="000198001234",
    )
    return found


def test_a_household_outside_the_scope_looks_missing(users, household):
    inside = scope_for(users.commune_officer, Action.VIEW)
    assert selectors.household_get_for(scope=inside, commune_code="23500", code="H1") == household
    other = scope_for(users.twinning_member, Action.VIEW)
    with pytest.raises(NotFound) as forbidden:
        selectors.household_get_for(scope=other, commune_code="23500", code="H1")
    with pytest.raises(NotFound) as missing:
        selectors.household_get_for(scope=inside, commune_code="23500", code="H9")
    assert str(forbidden.value).replace("H1", "X") == str(missing.value).replace("H9", "X")


def test_changes_name_the_fields_but_never_an_old_personal_id(users, household):
    member = household.members.get()
    member.personal_id = "000198009999"
    member._history_user = users.commune_officer
    member.save()
    household.head_name = "A Thư (Y Thư)"
    household.save()
    with translation.override("en"):
        changes = selectors.household_changes(household=household)
    assert [c.kind for c in changes] == ["~", "~", "+", "+"]
    assert changes[0].fields == ("head of household",)
    assert changes[1].who == "commune23500"
    assert changes[1].fields == ("personal ID number",)
    flattened = repr(changes)
    assert "000198001234" not in flattened and "000198009999" not in flattened
