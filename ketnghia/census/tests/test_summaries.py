"""Stored round summaries equal a fresh computation from the entries, after every kind of write."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketnghia.census import services
from ketnghia.census.importing import census_import
from ketnghia.census.models import CensusEntry, CensusRound, RoundState, RoundSummary
from ketnghia.census.selectors import (
    commune_census_summary,
    commune_census_summary_live,
    round_recompute,
)
from ketnghia.census.summaries import summaries_rebuild
from ketnghia.census.tests.census_files import headers, household, write_csv
from ketnghia.census.tests.factories import make_round, series
from ketnghia.core.gate import Action, scope_for
from ketnghia.poverty.rules import classify_many, deprivation_matrix_from_bits
from ketnghia.poverty.standards import get_standard


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _figures(summaries) -> list[tuple]:
    return [
        (s.round.year, s.round.pk, s.households, s.counts, s.transitions, s.series_break)
        for s in summaries
    ]


def _stored_and_fresh(tree, users) -> tuple[list[tuple], list[tuple]]:
    scope = scope_for(users.commune_officer, Action.VIEW)
    assert RoundSummary.objects.filter(round__commune=tree.ngok_wang).count() == (
        CensusRound.objects.filter(commune=tree.ngok_wang).count()
    )
    return (
        _figures(commune_census_summary(scope=scope, commune=tree.ngok_wang)),
        _figures(commune_census_summary_live(scope=scope, commune=tree.ngok_wang)),
    )


def test_series_summaries_hold_counts_and_every_kind_of_transition(tree, users):
    series(tree, users)
    stored, fresh = _stored_and_fresh(tree, users)
    assert stored == fresh
    by_year = {row[0]: row for row in stored}
    assert by_year[2014][4] is None  # the first year compares with nothing
    assert by_year[2015][3]["poor"] == 2
    assert by_year[2015][4]["left"] == 1 and by_year[2015][4]["new_household"] == 1
    assert by_year[2016][4]["fell_back"] == 1  # B: poor 2014, out 2015, poor 2016


def test_an_override_refreshes_its_year_and_every_later_one(tree, users):
    series(tree, users)
    draft = make_round(tree.ngok_wang, 2017, "vn-2016", {"A": 600_000, "B": 600_000})
    entry = CensusEntry.objects.get(round=draft, household_code="A")
    before = RoundSummary.objects.get(round=draft).poor
    services.census_entry_override(
        entry=entry, status="not_poor", reason="Hộ có thu nhập mới", actor=users.commune_officer
    )
    stored, fresh = _stored_and_fresh(tree, users)
    assert stored == fresh
    assert RoundSummary.objects.get(round=draft).poor == before - 1


def test_an_approved_revision_becomes_the_figure_and_moves_later_transitions(tree, users):
    rounds = series(tree, users)
    revision = services.census_round_revise(census_round=rounds[1], actor=users.commune_officer)
    entry = CensusEntry.objects.get(round=revision, household_code="B")
    services.census_entry_override(
        entry=entry, status="poor", reason="Khiếu nại được chấp nhận", actor=users.commune_officer
    )
    stored, fresh = _stored_and_fresh(tree, users)
    assert stored == fresh
    # Still in progress: 2016 compares with the approved revision 1.
    assert RoundSummary.objects.get(round=rounds[2]).previous_round_id == rounds[1].pk
    _approve_revision(revision, users.commune_officer)
    stored, fresh = _stored_and_fresh(tree, users)
    assert stored == fresh
    summary_2016 = RoundSummary.objects.get(round=rounds[2])
    assert summary_2016.previous_round_id == revision.pk
    assert summary_2016.fell_back == 0 and summary_2016.remained_poor == 1


def _approve_revision(revision: CensusRound, officer) -> None:
    services.census_round_record_meeting(
        census_round=revision,
        meeting_date=date(revision.year, 10, 1),
        participants=20,
        agreeing=15,
        minutes=SimpleUploadedFile("bien-ban-2.pdf", b"%PDF-1.4\n% Bien ban\n"),
        actor=officer,
    )
    for target in (RoundState.VILLAGE_MEETING, RoundState.POSTED, RoundState.COMMUNE_APPROVED):
        services.census_round_advance(census_round=revision, target=target, actor=officer)


def test_an_import_refreshes_the_summaries(tree, users, tmp_path):
    series(tree, users)
    census_round = services.census_round_create(
        commune=tree.ngok_wang, year=2024, standard_code="vn-2022"
    )
    path = write_csv(
        tmp_path / "ra-soat.csv",
        headers(get_standard("vn-2022")),
        [
            household("A", "Nguyễn Văn An", "Làng Kon Stiu", "1.000.000", [1] * 3 + [0] * 9),
            household("E", "Y Hoa", "Làng Kon Stiu", "3.000.000", [0] * 12),
        ],
    )
    census_import(census_round=census_round, path=path, actor=users.commune_officer)
    stored, fresh = _stored_and_fresh(tree, users)
    assert stored == fresh
    summary = RoundSummary.objects.get(round=census_round)
    assert (summary.households, summary.poor, summary.not_poor) == (2, 1, 1)
    assert summary.previous_round_id == CensusRound.objects.get(year=2016).pk
    # The import's entries are found by the round search without diacritics.
    assert CensusEntry.objects.get(round=census_round, household_code="A").search_folded == (
        "a nguyen van an"
    )


def test_an_import_writes_the_folded_names_with_its_entries_not_after(tree, users, tmp_path):
    """The import stores each entry's search text in its own INSERT/UPDATE: no refresh
    rewrites the round's entries afterwards (that was a bulk_update of every entry)."""
    series(tree, users)
    census_round = services.census_round_create(
        commune=tree.ngok_wang, year=2024, standard_code="vn-2022"
    )
    standard = get_standard("vn-2022")
    rows = [
        household("A", "Nguyễn Văn An", "Làng Kon Stiu", "1.000.000", [1] * 3 + [0] * 9),
        household("E", "Y Hoa", "Làng Kon Stiu", "3.000.000", [0] * 12),
    ]
    first = write_csv(tmp_path / "lan-1.csv", headers(standard), rows)
    rows[0] = household("A", "Đinh Thị Ánh", "Làng Kon Stiu", "1.000.000", [1] * 3 + [0] * 9)
    second = write_csv(tmp_path / "lan-2.csv", headers(standard), rows)
    for path, expected in ((first, "a nguyen van an"), (second, "a dinh thi anh")):
        with CaptureQueriesContext(connection) as queries:
            census_import(
                census_round=census_round, path=path, actor=users.commune_officer, confirm=True
            )
        table = CensusEntry._meta.db_table
        rewrites = [
            q["sql"]
            for q in queries
            if q["sql"].startswith(f'UPDATE "{table}"') and "search_folded" in q["sql"]
        ]
        assert rewrites == []
        folded = dict(
            CensusEntry.objects.filter(round=census_round).values_list(
                "household_code", "search_folded"
            )
        )
        assert folded == {"A": expected, "E": "e y hoa"}


def test_rounds_without_summaries_are_computed_live_and_the_command_rebuilds_them(tree, users):
    series(tree, users)
    RoundSummary.objects.all().delete()
    CensusEntry.objects.update(search_folded="")
    stored, fresh = (
        _figures(
            commune_census_summary(
                scope=scope_for(users.commune_officer, Action.VIEW), commune=tree.ngok_wang
            )
        ),
        None,
    )
    out = StringIO()
    call_command("census-summaries", "rebuild", stdout=out)
    assert "3" in out.getvalue()
    rebuilt, fresh = _stored_and_fresh(tree, users)
    assert rebuilt == fresh == stored
    assert not CensusEntry.objects.filter(search_folded="").exists()


def test_rebuilding_gives_what_the_services_stored(tree, users):
    series(tree, users)
    make_round(tree.ngok_wang, 2017, "vn-2016", {"A": 600_000, "C": 100_000})
    columns = [f.attname for f in RoundSummary._meta.concrete_fields]
    before = list(RoundSummary.objects.order_by("round_id").values_list(*columns))
    assert summaries_rebuild() == CensusRound.objects.count()
    assert list(RoundSummary.objects.order_by("round_id").values_list(*columns)) == before
    assert CensusRound.objects.filter(state=RoundState.DRAFT).count() == 1


@pytest.mark.parametrize("target", ["vn-2006", "vn-2011", "vn-2016"])
def test_recompute_by_income_band_equals_classifying_every_household(tree, target):
    rng = random.Random(7)
    incomes = {f"H{n:03}": rng.randrange(50_000, 2_500_000, 25_000) for n in range(120)}
    masks = {code: rng.randrange(0, 1 << 10) for code in incomes}
    census_round = make_round(tree.ngok_wang, 2017, "vn-2016", incomes, masks)
    CensusEntry.objects.filter(household_code__in=list(incomes)[:30]).update(area="urban")
    standard = get_standard(target)
    source = get_standard("vn-2016")
    entries = list(census_round.entries.order_by("id"))
    matrix = None
    if standard.uses_deprivations:
        matrix = deprivation_matrix_from_bits(
            [e.deprivations for e in entries], len(source.indicator_codes)
        )
    expected = Counter(
        classify_many(
            standard,
            [e.area for e in entries],
            [e.monthly_income_per_person for e in entries],
            matrix,
        ).status.tolist()
    )
    got = round_recompute(census_round=census_round, standard=standard)
    assert got == {status: expected.get(status, 0) for status in got}
    assert sum(got.values()) == 120
