"""A dashboard over fewer communes than the program lists says so, and names those left out."""

from __future__ import annotations

from datetime import date

import pytest

from ketnghia.conftest import make_unit
from ketnghia.core.tests.visible import visible_text
from ketnghia.dashboards.tests.conftest import load_program
from ketnghia.geo.models import UnitKind, UnitLevel
from ketnghia.indicators.services import aggregates_refresh
from ketnghia.programs.models import ProgramCommune

pytestmark = pytest.mark.django_db


def test_a_program_commune_without_an_approved_round_is_named_beside_the_figures(
    client, tree, users
):
    data = load_program(tree, users)
    client.force_login(users.province_viewer)
    url = "/dashboards/units/62/?program=nq04&year=2015"
    assert 'data-testid="coverage"' not in client.get(url).content.decode()  # 3 of 3

    lost = make_unit("23301", "Xã Thiếu Số Liệu", UnitLevel.COMMUNE, UnitKind.XA, tree.dak_glei)
    ProgramCommune.objects.create(
        program=data.program, commune=lost, valid_from=date(2007, 1, 1), is_key=True
    )
    # What the program list's write paths run at commit (written here past them).
    aggregates_refresh(commune_ids=[lost.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    note = html.split('data-testid="coverage"', 1)[1].split("</div>", 1)[0]
    text = visible_text(note)  # this app's tests read the English msgids
    assert "3/4 communes have an approved result" in text or "3/4 xã có kết quả" in text
    assert 'href="/census/23301/"' in note and "Xã Thiếu Số Liệu" in note
