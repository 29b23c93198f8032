"""Every page speaks in names: no code of the system in what a reader sees, for any role.

Walks the route list (`gate.iter_routes`, so a page added later is walked too), fills each
route's parameters with units, rounds and households of a small program (three communes, two
approved rounds each, criteria facts for a village), and renders every page answering 200 with
HTML, in Vietnamese, for each role that signs in. The visible text (`visible.visible_text`:
tags, attributes, scripts and styles left out) must hold no identifier-like token
(`visible.IDENTIFIER`: snake_case, criteria-set and standard codes) and no code of a shipped
criterion, criteria set, poverty standard or program as a whole word ("villages", "road",
"nq04"): each of those has a Vietnamese name the page must show instead.
"""

from __future__ import annotations

import re

import pytest
from django.urls import get_resolver
from django.utils import translation

from ketnghia.core import gate
from ketnghia.core.tests.test_no_500 import _PARAMETER
from ketnghia.core.tests.visible import ALLOWED, IDENTIFIER, identifiers, visible_text
from ketnghia.criteria import services as criteria_services
from ketnghia.criteria.sets import builtin_sets
from ketnghia.dashboards.tests.conftest import load_program
from ketnghia.households.models import Household
from ketnghia.poverty.standards import builtin_standards

pytestmark = pytest.mark.django_db

ROLES = (
    "province_admin",
    "province_viewer",
    "district_officer",
    "commune_officer",
    "twinning_member",
    "public_moderator",
)

FACTS = {
    "party_cell_rating": 2,
    "village_rules_adopted": True,
    "mass_organisations_active": False,
    "serious_crimes": 0,
    "public_order_incidents": 1,
    "drug_cases": 0,
    "illegal_migration_cases": 0,
    "households_short_of_food": 2,
    "households_hygienic_latrine": 3,
    "households_clean_water": 3,
    "households_land_or_work": 3,
}
INFRASTRUCTURE = {
    "road_to_centre": "dry_season",
    "electricity_percent": 60,
    "health_station_standard": False,
    "preschools": 1,
    "primary_schools": 1,
    "lower_secondary_schools": 0,
    "clean_water_percent": 50,
    "mobile_coverage_percent": 80,
    "cultural_house": False,
}


def _codes() -> set[str]:
    """Codes a reader must never see as words: criteria, sets, standards, the program."""
    codes = {"nq04"} | set(builtin_standards())
    for criteria_set in builtin_sets().values():
        codes.add(criteria_set.code)
        codes.update(criterion.code for criterion in criteria_set.criteria)
    return codes


@pytest.fixture
def world(tree, users):
    data = load_program(tree, users)
    criteria_services.criteria_sets_sync()
    for year in (2014, 2015):
        criteria_services.village_facts_set(
            village=tree.village_a, year=year, values=FACTS, actor=users.province_admin
        )
        criteria_services.infrastructure_set(
            commune=tree.ngok_wang, year=year, values=INFRASTRUCTURE, actor=users.province_admin
        )
    household = Household.objects.filter(commune=tree.ngok_wang).order_by("code").first()
    return {"program": data, "household": household.code}


def _urls(tree, world) -> list[str]:
    values = {
        "commune": [tree.ngok_wang.code],
        "district": [tree.dak_ha.code],
        "village": [tree.village_a.code],
        "year": [2015],
        "code": [tree.province.code, tree.ngok_wang.code, tree.village_a.code, world["household"]],
    }
    urls: set[str] = set()
    for route, _callback, namespaces in gate.iter_routes(get_resolver().url_patterns):
        if "admin" in namespaces or route.startswith(("api/", "i18n/", "attachments/")):
            continue
        names = _PARAMETER.findall(route)
        if any(name not in values for name in names):
            continue  # a record's number (pk, job, key): its page is reached from the others
        candidates = [route]
        for name in names:
            candidates = [
                re.sub(rf"<(?:\w+:)?{name}>", str(value), c, count=1)
                for c in candidates
                for value in values[name]
            ]
        urls.update("/" + c for c in candidates)
    urls.update(
        {
            "/criteria/?year=2015",
            f"/criteria/{tree.ngok_wang.code}/?year=2015",
            f"/criteria/{tree.ngok_wang.code}/?year=2015&set=ntm-2021",
            "/dashboards/units/62/?year=2015",
            "/dashboards/units/62/behind/?year=2015&figure=villages_meeting_criteria",
            "/dashboards/units/62/behind/?year=2015&figure=poverty_rate",
            "/reports/review/?program=nq04&baseline=2014&year=2015",
            f"/census/{tree.ngok_wang.code}/recompute/?year=2015&standard=vn-2016",
        }
    )
    return sorted(urls)


def _problems(html: str, codes: set[str]) -> list[str]:
    text = visible_text(html)
    words = set(re.findall(r"[\w-]+", text))
    return sorted(set(identifiers(html)) | (words & codes))


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_a_code_where_a_name_belongs(client, tree, users, world, role):
    codes = _codes()
    client.raise_request_exception = False
    client.force_login(getattr(users, role))
    rendered, found = 0, {}
    for url in _urls(tree, world):
        with translation.override("vi"):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        rendered += 1
        problems = _problems(response.content.decode(), codes)
        if problems:
            found[url] = problems
    assert rendered >= (1 if role in ("twinning_member", "public_moderator") else 15)
    assert not found, "\n".join(f"{url}: {', '.join(tokens)}" for url, tokens in found.items())


def test_the_check_sees_codes_in_text_and_not_in_attributes():
    codes = _codes()
    assert _problems("<th>poverty_rate</th>", codes) == ["poverty_rate"]
    assert _problems("<td>Bộ tiêu chí nvv-example</td>", codes) == ["nvv-example"]
    assert _problems("<th>villages*</th><td>road</td>", codes) == ["road", "villages"]
    assert _problems('<td data-criterion="poverty_rate" title="x">Tỷ lệ hộ nghèo</td>', codes) == []
    assert _problems('<a href="/criteria/?set=nvv-example">Tiêu chí</a>', codes) == []


def _workbook_text(data: bytes) -> str:
    """Return what a reader of a workbook sees: every cell of its visible sheets, as text.

    The review's English summary (a row of its own) is English on purpose, as on the page.
    """
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(data))
    return " ".join(
        str(value)
        for sheet in book.worksheets
        if sheet.sheet_state == "visible"
        for row in sheet.iter_rows(values_only=True)
        if row and row[0] != "Summary (English)"
        for value in row
        if value is not None
    )


def test_no_workbook_shows_a_code_where_a_name_belongs(client, tree, users, world):
    """The exports are read too: the criteria matrix and the review workbook speak in names."""
    codes = _codes()
    client.force_login(users.province_admin)
    files = {
        f"/criteria/{tree.ngok_wang.code}/export.xlsx?year=2015": "",
        "/reports/review/report.xlsx?program=nq04&baseline=2014&year=2015": "",
    }
    for url in files:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _workbook_text(response.content)
        words = set(re.findall(r"[\w-]+", text))
        problems = sorted(set(IDENTIFIER.findall(text)) - ALLOWED | (words & codes))
        assert not problems, f"{url}: {', '.join(problems)}"
