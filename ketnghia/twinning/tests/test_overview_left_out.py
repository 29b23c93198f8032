"""The network's coverage table names the program communes its household total leaves out."""

from __future__ import annotations

from datetime import date

import pytest

from ketnghia.conftest import make_unit
from ketnghia.core.tests.visible import visible_text
from ketnghia.core.tests.world import build_world
from ketnghia.geo.models import UnitKind, UnitLevel
from ketnghia.programs.models import ProgramCommune

pytestmark = pytest.mark.django_db


def test_a_commune_without_an_approved_round_is_named_under_the_totals(client, tree, users):
    world = build_world(tree, users)
    client.force_login(users.province_viewer)
    marker = 'data-testid="figure-coverage-poor_households_with_party_member"'
    assert marker not in client.get("/network/", {"year": 2015}).content.decode()
    lost = make_unit("23301", "Xã Thiếu Số Liệu", UnitLevel.COMMUNE, UnitKind.XA, tree.dak_glei)
    ProgramCommune.objects.create(program=world.program, commune=lost, valid_from=date(2007, 1, 1))
    html = client.get("/network/", {"year": 2015}, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    note = html.split(marker, 1)[1].split("</div>", 1)[0]
    assert "3/4" in visible_text(note) and 'href="/census/23301/"' in note
