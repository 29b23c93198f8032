"""A province administrator adds a local standard with higher lines, without code."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketnghia.core.errors import NotFound
from ketnghia.poverty.models import LocalStandard
from ketnghia.poverty.rules import classify
from ketnghia.poverty.selectors import standard_get

FORM = {
    "code": "kontum-2016",
    "name_vi": "Chuẩn nghèo của tỉnh Kon Tum 2016–2020",
    "name_en": "",
    "base_code": "vn-2016",
    "legal_basis": "Quyết định của UBND tỉnh (ví dụ)",
    "first_year": "2016",
    "last_year": "2020",
    "rural_poor": "800000",
    "rural_near_poor": "1100000",
    "rural_average": "",
    "urban_poor": "1000000",
    "urban_near_poor": "1400000",
    "urban_average": "",
}


def test_admin_adds_a_local_standard_that_classifies(client, users):
    client.force_login(users.province_admin)
    response = client.post(reverse("admin:poverty_localstandard_add"), FORM)
    assert response.status_code == 302, response.content.decode()[:3000]
    local = standard_get("kontum-2016")
    assert local.rural.poor == 800_000
    assert local.indicator_codes == standard_get("vn-2016").indicator_codes
    household = {"area": "rural", "monthly_income_per_person": 750_000, "deprivations": set()}
    assert classify(standard_get("vn-2016"), **household).status == "near_poor"
    assert classify(local, **household).status == "poor"
    assert LocalStandard.objects.get().history.latest().history_user == users.province_admin


def test_bad_local_standards_are_refused_with_the_field(client, users):
    client.force_login(users.province_admin)
    response = client.post(reverse("admin:poverty_localstandard_add"), {**FORM, "code": "vn-2016"})
    assert response.status_code == 200
    assert LocalStandard.objects.count() == 0
    response = client.post(
        reverse("admin:poverty_localstandard_add"), {**FORM, "base_code": "vn-1999"}
    )
    assert response.status_code == 200
    assert "vn-1999" in response.content.decode()
    assert LocalStandard.objects.count() == 0


@pytest.mark.django_db
def test_unknown_code_is_not_found():
    with pytest.raises(NotFound):
        standard_get("nowhere-2020")
