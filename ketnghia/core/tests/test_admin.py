"""The Django admin: province administrators only, and only their province's rows."""

from __future__ import annotations

from django.urls import reverse

from ketnghia.conftest import make_unit
from ketnghia.geo.models import UnitKind, UnitLevel


def test_province_admin_sees_only_their_province_in_admin(client, tree, users):
    other = make_unit("64", "Tỉnh Gia Lai", UnitLevel.PROVINCE, UnitKind.TINH)
    client.force_login(users.province_admin)
    response = client.get(reverse("admin:geo_unit_changelist"))
    assert response.status_code == 200
    listed = {unit.code for unit in response.context["cl"].queryset}
    assert "62" in listed and "23500" in listed
    assert other.code not in listed
    assert client.get(reverse("admin:geo_unit_change", args=[other.pk])).status_code == 302


def test_officers_and_viewers_cannot_enter_the_admin(client, users):
    for user in (users.commune_officer, users.district_officer, users.province_viewer):
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_admin_edits_are_kept_in_history(client, tree, users):
    client.force_login(users.province_admin)
    village = tree.village_a
    response = client.post(
        reverse("admin:geo_unit_change", args=[village.pk]),
        {
            "code": village.code,
            "name": "Làng Kon Stiu Mới",
            "level": village.level,
            "kind": village.kind,
            "parent": village.parent_id,
            "is_urban": "",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    village.refresh_from_db()
    assert village.name == "Làng Kon Stiu Mới"
    assert village.search_name == "lang kon stiu moi"
    record = village.history.latest()
    assert record.history_user == users.province_admin
    assert record.prev_record.name == "Làng Kon Stiu"
