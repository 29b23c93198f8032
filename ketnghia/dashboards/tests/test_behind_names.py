"""The units behind a criteria figure: each village with its commune, linked to its criteria."""

from __future__ import annotations

import pytest

from ketnghia.conftest import make_unit
from ketnghia.core.tests.test_names_not_codes import world  # noqa: F401
from ketnghia.core.tests.visible import visible_text
from ketnghia.criteria import services as criteria_services
from ketnghia.geo.models import UnitKind, UnitLevel

pytestmark = pytest.mark.django_db


def test_villages_behind_the_criteria_figure_name_their_commune_and_link_to_criteria(
    client,
    tree,
    users,
    world,  # noqa: F811
):
    # A village of Đăk Mar with the name of Ngọk Wang's: only the commune tells them apart.
    twin = make_unit(
        "23488-02", tree.village_a.name, UnitLevel.VILLAGE, UnitKind.LANG, tree.dak_mar
    )
    criteria_services.village_facts_set(
        village=twin, year=2015, values={"households_short_of_food": 0}, actor=users.province_admin
    )
    client.force_login(users.province_viewer)
    url = "/dashboards/units/62/behind/?program=nq04&year=2015&figure=villages_meeting_criteria"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    rows = {
        part.split('"', 1)[0]: part.split("</tr>", 1)[0]
        for part in html.split('<tr data-unit="')[1:]
    }
    assert {"23500-01", "23488-02"} <= set(rows)
    for code, commune in (("23500-01", tree.ngok_wang), ("23488-02", tree.dak_mar)):
        row = rows[code]
        assert f'href="/criteria/village/{code}/"' in row
        assert commune.name in visible_text(row.split('data-testid="commune"', 1)[1])
        assert f'href="/criteria/{commune.code}/?year=2015"' in row
