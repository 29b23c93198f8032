"""The review read capped: the first units of each list and their counts, nothing more.

`review_report(..., limit=n)` must equal the whole report cut by `domain.capped` (every
figure, count, rank and missing unit the same), and what it reads must not grow with the
program's communes: a national program has 10,000 communes and 100,000 villages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from django.db import connection

from ketnghia.census.tests.factories import approve, make_round
from ketnghia.conftest import make_unit
from ketnghia.core.gate import EVERYTHING
from ketnghia.geo.models import UnitKind, UnitLevel
from ketnghia.indicators.services import aggregates_rebuild
from ketnghia.programs.models import ProgramCommune
from ketnghia.reports.domain import Coverage, MissingUnit, capped
from ketnghia.reports.selectors import ReviewRequest, review_report


def _add_communes(tree, users, program, rates: list[tuple[str, int, int]], district=None) -> None:
    """Add communes (name, poor, households) to the program, each with a village and an
    approved round in 2007 and 2015 at that rate (none without households: a commune left
    out of the figures); then rebuild the aggregates."""
    district = district or make_unit(
        "699", "Huyện Ia H'Drai", UnitLevel.DISTRICT, UnitKind.HUYEN, tree.province
    )
    start = 24000 + 10 * ProgramCommune.objects.filter(program=program).count()
    for number, (name, poor, households) in enumerate(rates):
        code = str(start + number)
        commune = make_unit(code, name, UnitLevel.COMMUNE, UnitKind.XA, district)
        make_unit(f"{code}-01", f"Thôn {number}", UnitLevel.VILLAGE, UnitKind.THON, commune)
        ProgramCommune.objects.create(program=program, commune=commune, valid_from=date(2007, 1, 1))
        if not households:
            continue
        for year, standard, line in ((2007, "vn-2006", 150_000), (2015, "vn-2011", 300_000)):
            incomes = {f"{code}-{n}": line if n < poor else 900_000 for n in range(households)}
            approve(make_round(commune, year, standard, incomes), users.commune_officer)
    aggregates_rebuild()


def _request(program, **changes: Any) -> ReviewRequest:
    return ReviewRequest(
        program=program, baseline_year=2007, review_year=2015, area=None, **changes
    )


@contextmanager
def _statements() -> Iterator[list[tuple[str, Any]]]:
    """Record every statement run inside, with its parameters (to run it again after)."""
    found: list[tuple[str, Any]] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        found.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield found


def _rows_read(program, limit: int | None) -> list[int]:
    """Return how many rows each query of the review returns (run again, in order)."""
    with _statements() as statements:
        review_report(scope=EVERYTHING, request=_request(program), limit=limit)
    counts = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute(sql, params)
                counts.append(len(cursor.fetchall()))
    return counts


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 100])
@pytest.mark.parametrize(
    "changes", [{}, {"threshold": 50.0}, {"official": False}], ids=["30", "50", "unofficial"]
)
def test_the_capped_report_is_the_whole_report_capped(
    tree, users, small_program, limit, changes
) -> None:
    # Ties at every cut: three more communes at 25 % (as Ngọk Wang), names out of Python's
    # order ("Đ" after "D" in Vietnamese, before "Z"), one without a poor household; and
    # four without a census, left out of the figures.
    _add_communes(
        tree,
        users,
        small_program,
        [
            ("Xã Đăk Ang", 1, 4),
            ("Xã Dak Be", 2, 8),
            ("Xã Zơ Ra", 1, 4),
            ("Xã Ia Tơi", 0, 5),
            ("Xã Sa Loong", 3, 4),
        ]
        + [(f"Xã Chưa Điều Tra {n}", 0, 0) for n in range(4)],
    )
    request = _request(small_program, **changes)
    whole = review_report(scope=EVERYTHING, request=request)
    assert len(whole.ranking) == 8
    # Figures leave units out (villages not assessed): their lists are capped too.
    assert any(e.coverage is not None and len(e.coverage.missing) > 3 for e in whole.entries)
    assert review_report(scope=EVERYTHING, request=request, limit=limit) == capped(whole, limit)


def test_the_capped_report_of_a_district(tree, users, small_program) -> None:
    _add_communes(tree, users, small_program, [("Xã Đăk Ui", 1, 4)], district=tree.dak_ha)
    request = ReviewRequest(
        program=small_program, baseline_year=2007, review_year=2015, area=tree.dak_ha
    )
    whole = review_report(scope=EVERYTHING, request=request)
    for limit in (1, 2):
        assert review_report(scope=EVERYTHING, request=request, limit=limit) == capped(whole, limit)


def test_what_the_capped_report_reads_does_not_grow_with_the_communes(
    tree, users, small_program
) -> None:
    before, whole_before = _rows_read(small_program, 2), _rows_read(small_program, None)
    # Twelve more communes (each with a village), after the others by path and by rate.
    _add_communes(tree, users, small_program, [(f"Xã Mới {n}", 4, 4) for n in range(12)])
    after, whole_after = _rows_read(small_program, 2), _rows_read(small_program, None)
    # The same queries, each returning as many rows: the first two units of each list and
    # counts, whatever the number of communes.
    assert after == before
    # ... where the whole report (the .xlsx's) reads every commune and village.
    assert len(whole_after) == len(whole_before)
    assert sum(whole_after) > sum(whole_before) + 12 * 5


def test_the_page_says_how_many_it_shows_and_links_the_full_list(
    client, users, small_program, monkeypatch
) -> None:
    from ketnghia.reports import views

    monkeypatch.setattr(views, "UNITS_SHOWN", 2)
    client.force_login(users.province_viewer)
    page = client.get("/reports/review/?program=nq04&baseline=2007&year=2015").content.decode()
    full = 'href="/reports/review/report.xlsx?program=nq04&amp;baseline=2007&amp;year=2015"'
    assert "Hiển thị 2 trên 3 xã; danh sách đầy đủ có trong <a " + full in page
    assert "Hiển thị 2 trên 3 đơn vị; danh sách đầy đủ có trong <a " + full in page


def test_a_capped_list_of_missing_units_still_counts_them_all() -> None:
    missing = tuple(MissingUnit(code=f"{n}", name=f"Xã {n}", level="commune") for n in range(2))
    coverage = Coverage(covered=1, population=20, missing=missing)
    assert coverage.left_out == 19
    assert coverage.text("vi") == "1/20 xã có số liệu; thiếu: Xã 0, Xã 1 và 17 đơn vị khác"
    assert coverage.text("en", limit=1) == "1/20 communes with data; missing: Xã 0 and 18 more"
