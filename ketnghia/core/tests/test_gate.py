"""The scoping gate: who sees which units, and every route declares a rule."""

from __future__ import annotations

import pytest
from django.test import override_settings

from ketnghia.core.gate import Action, scope_for, undeclared_routes
from ketnghia.geo.models import Unit


def _visible_codes(user, action=Action.VIEW) -> set[str]:
    return set(scope_for(user, action).filter(Unit.objects.all()).values_list("code", flat=True))


def test_commune_officer_sees_only_their_commune_and_its_villages(tree, users):
    assert _visible_codes(users.commune_officer) == {"23500", "23500-01"}


def test_district_officer_sees_their_district(tree, users):
    assert _visible_codes(users.district_officer) == {
        "615",
        "23500",
        "23500-01",
        "23488",
        "23488-01",
    }


def test_province_roles_see_the_province(tree, users):
    everything = set(Unit.objects.values_list("code", flat=True))
    assert _visible_codes(users.province_admin) == everything
    assert _visible_codes(users.province_viewer) == everything


def test_viewer_may_not_edit_and_officer_may_not_administer(tree, users):
    assert _visible_codes(users.province_viewer, Action.EDIT) == set()
    assert _visible_codes(users.commune_officer, Action.ADMINISTER) == set()
    assert _visible_codes(users.commune_officer, Action.EDIT) == {"23500", "23500-01"}


def test_twinning_member_sees_twinned_communes(tree, users):
    assert _visible_codes(users.twinning_member) == {"23290", "23290-01"}


def test_public_roles_see_no_protected_units(tree, users):
    assert _visible_codes(users.public_moderator) == set()


def test_every_route_declares_a_gate_rule():
    assert undeclared_routes() == []


LEAKY_URLCONF = "ketnghia.core.tests.urls_with_leak"


def test_an_undeclared_route_is_caught_by_the_walker():
    assert undeclared_routes(LEAKY_URLCONF) == ["leak/"]


@pytest.mark.django_db
def test_an_undeclared_route_is_refused_at_run_time(client, users):
    client.force_login(users.province_admin)
    with override_settings(ROOT_URLCONF=LEAKY_URLCONF):
        response = client.get("/leak/")
    assert response.status_code == 403
