"""The public side is no side door: a walk of every public page and the feed finds no
household, member, person, phone or ID number, no email, and no figure cell below the minimum.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from ketnghia.core import gate
from ketnghia.households.models import Household, Member
from ketnghia.portal import services
from ketnghia.portal.conf import setting
from ketnghia.portal.models import Bulletin, Tag
from ketnghia.portal.rules import BulletinState, publishable
from ketnghia.portal.tests.conftest import Portal
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.reports.tests.conftest import small_program  # noqa: F401 (a fixture)
from ketnghia.twinning.models import Person

pytestmark = pytest.mark.django_db

SECRET_EMAIL = "walk.secret@example.vn"
_CELL = re.compile(r'data-cell="([^"]*)"')


def _public_urls(program: Program) -> list[str]:
    urls = [
        reverse("portal:list"),
        reverse("portal:list") + "?q=ngheo",
        reverse("portal:feed"),
        reverse("portal:rights"),
        reverse("portal:program_figures", args=[program.code]),
    ]
    urls += [b.get_absolute_url() for b in Bulletin.objects.filter(state=BulletinState.PUBLISHED)]
    tags = Tag.objects.filter(bulletins__state=BulletinState.PUBLISHED).distinct()
    urls += [t.get_absolute_url() for t in tags]
    urls += [
        reverse("portal:commune_figures", args=[program.code, m.commune.code])
        for m in ProgramCommune.objects.filter(program=program).select_related("commune")
    ]
    return urls


def _personal_strings() -> set[str]:
    found: set[str] = set()
    for code, head in Household.objects.values_list("code", "head_name"):
        found |= {code, head}
    for name, personal_id in Member.objects.values_list("full_name", "personal_id"):
        found |= {name, personal_id}
    for name, phone in Person.objects.values_list("full_name", "phone"):
        found |= {name, phone}
    return {s for s in found if s and len(s) >= 5}


_GRAM = 5  # `_personal_strings` keeps strings of at least this many characters


def _by_start(personal: set[str]) -> dict[str, list[str]]:
    """Return the personal strings by their first `_GRAM` characters."""
    by_start: dict[str, list[str]] = defaultdict(list)
    for value in personal:
        by_start[value[:_GRAM]].append(value)
    return by_start


def _found_in(text: str, by_start: dict[str, list[str]]) -> set[str]:
    """Return the personal strings (`_by_start`) that occur in `text`, as `value in text`.

    A string occurs where its first characters do: the positions of every `_GRAM`-character
    piece of the text are indexed once, and a string is compared only where it could start
    (the demo's 250,000 names, IDs and codes, searched one by one, took half a second a page).
    """
    starts: dict[str, list[int]] = defaultdict(list)
    for i in range(len(text) - _GRAM + 1):
        starts[text[i : i + _GRAM]].append(i)
    return {
        value
        for piece in starts.keys() & by_start.keys()
        for value in by_start[piece]
        if any(text.startswith(value, i) for i in starts[piece])
    }


def _walk(program: Program) -> list[str]:
    cache.clear()
    client = Client()
    personal = _personal_strings()
    assert personal, "the walk needs personal data in the database to look for"
    assert min(map(len, personal)) >= _GRAM
    by_start = _by_start(personal)
    minimum = int(setting("small_cell_min"))
    problems = []
    for url in _public_urls(program):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        if found := _found_in(text, by_start):
            problems += [f"{url}: personal data {value!r}" for value in personal if value in found]
        if SECRET_EMAIL in text or "walk.secret" in text:
            problems.append(f"{url}: an email")
        for cell in _CELL.findall(text):
            if not cell:
                continue
            numerator, denominator = (float(x) for x in cell.split("/"))
            if not publishable(numerator, denominator, minimum):
                problems.append(f"{url}: small cell {cell}")
    return problems


def _publish_from_report(portal: Portal) -> Bulletin:
    client = Client()
    client.force_login(portal.editor)
    response = client.post(
        reverse("portal:from_report"), {"program": "nq04", "baseline": "2007", "year": "2015"}
    )
    assert response.status_code == 302, response.content[:500]
    bulletin = Bulletin.objects.exclude(pk=portal.bulletin.pk).get()
    services.bulletin_transition(actor=portal.editor, bulletin=bulletin, action="publish")
    comment = services.comment_submit(
        bulletin=bulletin,
        name="Người đọc",
        email=SECRET_EMAIL,
        content="Số liệu rất rõ.",
        consent=True,
        ip="10.0.0.1",
    )
    assert comment is not None
    services.comments_moderate(actor=portal.moderator, comments=[comment], action="approve")
    return bulletin


def _add_personal_data(program: Program) -> None:
    household = Household.objects.first()
    assert household is not None
    Member.objects.filter(household=household).update(personal_id="062123456789")


def test_the_walk_finds_no_personal_data_and_no_small_cell(
    portal: Portal,
    small_program: Program,  # noqa: F811
) -> None:
    _add_personal_data(small_program)
    bulletin = _publish_from_report(portal)
    assert bulletin.images.count() == 1  # the trend chart
    assert _walk(small_program) == []
    # Ten households in all: every figure of this small program is withheld.
    html = Client().get(reverse("portal:program_figures", args=["nq04"])).content.decode()
    assert 'data-cell=""' in html and 'data-testid="small-cell-note"' in html


@override_settings(KETNGHIA_PORTAL={"small_cell_min": 1})
def test_with_a_minimum_of_one_the_figures_show_and_the_walk_still_passes(
    portal: Portal,
    small_program: Program,  # noqa: F811
) -> None:
    _publish_from_report(portal)
    html = Client().get(reverse("portal:program_figures", args=["nq04"])).content.decode()
    cells = [c for c in _CELL.findall(html) if c]
    assert cells, "some figure is shown"
    assert _walk(small_program) == []
    body = Bulletin.objects.exclude(pk=portal.bulletin.pk).get().body
    assert "<table>" in body and "%" in body


def test_the_walk_bites(portal: Portal, small_program: Program) -> None:  # noqa: F811
    household = Household.objects.first()
    assert household is not None
    services.bulletin_update(
        actor=portal.editor,
        bulletin=portal.bulletin,
        title=portal.bulletin.title,
        lead=f"Hộ {household.head_name}",
        body="",
        byline="",
        tags=[],
        comments_open=True,
    )
    assert _walk(small_program) != []


def test_a_user_without_portal_rights_cannot_make_a_bulletin(
    portal: Portal,
    small_program: Program,  # noqa: F811
    users: object,
) -> None:
    client = Client()
    client.force_login(users.province_viewer)  # type: ignore[attr-defined]
    assert client.post(reverse("portal:from_report"), {"program": "nq04"}).status_code == 403
    assert not gate.allows(users.province_viewer, "portal.edit")  # type: ignore[attr-defined]
