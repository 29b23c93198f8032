"""A standard without deprivation indicators shows "—" for a household's deprivations, never 0.

The 2006–2010 and 2011–2015 standards measured income only: a 0 under them would read as
"deprived of nothing", which nobody measured. Under the multidimensional standard the count
is shown (0 included: it was measured).
"""

from __future__ import annotations

import re

import pytest

from ketnghia.census.tests.factories import make_round
from ketnghia.core.tests.visible import visible_text

pytestmark = pytest.mark.django_db


def _deprivation_cells(html: str, table: str) -> list[str]:
    """Return the 'Deprivations' column of a table (by its header) as a reader sees it."""
    part = html.split(f'data-testid="{table}"', 1)[1].split("</table>", 1)[0]
    headers = [
        visible_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", part.split("</thead>")[0])
    ]
    index = next(i for i, h in enumerate(headers) if h in ("Số chỉ số thiếu hụt", "Deprivations"))
    rows = part.split("</thead>", 1)[1].split("</tr>")[:-1]
    return [
        visible_text(re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)[index]) for row in rows
    ]


def test_the_income_only_years_show_a_dash_and_the_measured_years_a_count(
    client, tree, users
) -> None:
    code = f"{tree.ngok_wang.code}-1"
    make_round(tree.ngok_wang, 2010, "vn-2006", {code: 150_000})
    make_round(tree.ngok_wang, 2019, "vn-2016", {code: 900_000}, masks={code: 0b11})
    client.force_login(users.province_admin)

    old = client.get(f"/census/{tree.ngok_wang.code}/2010/").content.decode()
    assert _deprivation_cells(old, "entries") == ["—"]
    new = client.get(f"/census/{tree.ngok_wang.code}/2019/").content.decode()
    assert _deprivation_cells(new, "entries") == ["2"]

    household = client.get(f"/census/{tree.ngok_wang.code}/households/{code}/").content.decode()
    assert sorted(_deprivation_cells(household, "statuses")) == ["2", "—"]
