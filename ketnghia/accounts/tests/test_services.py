"""Creating users: a role needs the right jurisdiction, and nothing is written otherwise."""

from __future__ import annotations

import pytest

from ketnghia.accounts.models import Role, User
from ketnghia.accounts.services import user_create, user_set_jurisdiction
from ketnghia.core.errors import InvalidInput


@pytest.mark.parametrize(
    ("role", "unit_attr"),
    [
        (Role.COMMUNE_OFFICER, None),
        (Role.COMMUNE_OFFICER, "dak_ha"),
        (Role.DISTRICT_OFFICER, "ngok_wang"),
        (Role.PROVINCE_VIEWER, "dak_ha"),
        (Role.PROVINCE_ADMIN, None),
    ],
)
def test_a_role_without_the_right_jurisdiction_is_refused(tree, role, unit_attr):
    jurisdiction = getattr(tree, unit_attr) if unit_attr else None
    with pytest.raises(InvalidInput) as caught:
        user_create(
            username="someone", password="x-Very-long-1", role=role, jurisdiction=jurisdiction
        )
    assert caught.value.problems[0].location.field == "jurisdiction"
    assert "someone" in str(caught.value)
    assert not User.objects.filter(username="someone").exists()


def test_a_twinning_member_needs_a_twinning_unit(tree):
    with pytest.raises(InvalidInput):
        user_create(username="t", password=None, role=Role.TWINNING_MEMBER)
    assert not User.objects.filter(username="t").exists()


def test_changing_jurisdiction_is_checked_and_kept_in_history(tree, users):
    officer = users.commune_officer
    with pytest.raises(InvalidInput):
        user_set_jurisdiction(user=officer, role=Role.COMMUNE_OFFICER, jurisdiction=tree.dak_ha)
    officer.refresh_from_db()
    assert officer.jurisdiction == tree.ngok_wang

    user_set_jurisdiction(
        user=officer,
        role=Role.COMMUNE_OFFICER,
        jurisdiction=tree.dak_mar,
        actor=users.province_admin,
    )
    latest = officer.history.latest()
    assert latest.jurisdiction_id == tree.dak_mar.pk
    assert latest.history_user == users.province_admin
    assert latest.prev_record.jurisdiction_id == tree.ngok_wang.pk
    # Password hashes never go into the history table.
    assert not hasattr(latest, "password")


def test_admin_form_validation_refuses_a_wrong_jurisdiction(tree):
    from django.core.exceptions import ValidationError

    user = User(username="form-user", role=Role.DISTRICT_OFFICER, jurisdiction=tree.ngok_wang)
    with pytest.raises(ValidationError) as caught:
        user.full_clean(exclude=["password"])
    assert "jurisdiction" in caught.value.message_dict
