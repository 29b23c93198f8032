"""A dashboard over fewer communes than the program lists says so, and names those left out."""

from __future__ import annotations

from datetime import date

import pytest
from django.template.loader import render_to_string

from ketnghia.conftest import make_unit
from ketnghia.core.gate import EVERYTHING
from ketnghia.core.tests.visible import visible_text
from ketnghia.dashboards.tests.conftest import load_program
from ketnghia.geo.models import UnitKind, UnitLevel
from ketnghia.indicators.coverage import figure_coverage
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


def test_each_figure_over_fewer_communes_names_those_it_leaves_out(client, tree, users):
    data = load_program(tree, users)
    client.force_login(users.province_viewer)
    url = "/dashboards/units/62/?program=nq04&year=2015"
    assert 'data-testid="figure-coverage-' not in client.get(url).content.decode()

    lost = make_unit("23301", "Xã Thiếu Số Liệu", UnitLevel.COMMUNE, UnitKind.XA, tree.dak_glei)
    ProgramCommune.objects.create(
        program=data.program, commune=lost, valid_from=date(2007, 1, 1), is_key=True
    )
    # What the program list's write paths run at commit (written here past them).
    aggregates_refresh(commune_ids=[lost.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()

    def note(testid: str) -> str:
        assert f'data-testid="{testid}"' in html, testid
        return html.split(f'data-testid="{testid}"', 1)[1].split("</div>", 1)[0]

    rate = note("figure-coverage-poverty_rate")
    assert "3/4" in visible_text(rate)
    assert 'href="/census/23301/"' in rate and "Xã Thiếu Số Liệu" in rate
    # The key communes' rate: the lost commune is a key commune too.
    key = note("figure-coverage-poverty_rate-key")
    assert 'href="/census/23301/"' in key
    # A criteria figure sends the reader to the commune's criteria, not to its census.
    found = figure_coverage(scope=EVERYTHING, program=data.program, year=2015)
    criteria = found["communes_meeting_criteria"]
    assert criteria.source == "criteria" and "23301" in [m.code for m in criteria.missing]
    html_note = render_to_string("core/_figure_coverage.html", {"coverage": criteria})
    assert 'href="/criteria/23301/"' in html_note
    # Twinning activities are counted events: a commune without any has 0, not a gap.
    assert 'data-testid="figure-coverage-twinning_activities"' not in html
    # The drill-down behind a figure names them too.
    behind = client.get(
        "/dashboards/units/62/behind/?program=nq04&year=2015&figure=poverty_rate"
    ).content.decode()
    assert 'data-testid="figure-coverage-poverty_rate"' in behind and "/census/23301/" in behind
