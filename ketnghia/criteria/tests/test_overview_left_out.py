"""The criteria summary by program group names the communes and villages it has no result for."""

from __future__ import annotations

import pytest

from ketnghia.core.tests.test_names_not_codes import FACTS, world  # noqa: F401
from ketnghia.core.tests.visible import visible_text

pytestmark = pytest.mark.django_db


def test_each_group_names_the_units_without_a_result(client, tree, users, world):  # noqa: F811
    client.force_login(users.province_viewer)
    html = client.get("/criteria/", {"year": 2015}, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    table = html.split('data-testid="by-group"', 1)[1].split("</table>", 1)[0]
    # Only Ngọk Wang's first village has facts: the other program communes are named, linked
    # to their criteria page; a village without facts is named with its commune.
    program = table.split('data-group="program"', 1)[1].split("</tr>", 1)[0]
    assert "/criteria/23488/" in program  # Đăk Mar: no commune result
    key = table.split('data-group="key"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="figure-coverage-' in key or "/criteria/village/" not in key
    assert "/criteria/village/23500-01/" not in table  # it has its result
    assert "xã" in visible_text(program) or "communes" in visible_text(program)
