"""The head's ethnicity stored on every entry (`CensusEntry.head_ethnicity`) follows the registry.

The indicators group every round's entries by it in one pass, so each write that creates
entries or changes a head (who, or their ethnicity) must leave it equal to the registry's.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

from django.db import connection

from ketnghia.census.models import CensusEntry
from ketnghia.census.summaries import entries_heads_refresh, summaries_rebuild
from ketnghia.census.tests.factories import make_round
from ketnghia.households import services as household_services
from ketnghia.households.models import Household, Member


def _from_registry() -> dict[int, str | None]:
    """Entry id → the ethnicity of its household's first head member, read afresh."""
    heads: dict[int, str] = {}
    for household_id, ethnicity in (
        Member.objects.filter(relation="head")
        .order_by("-id")
        .values_list("household_id", "ethnicity")
    ):
        heads[household_id] = ethnicity  # the lowest id is written last
    return {
        pk: heads.get(household_id)
        for pk, household_id in CensusEntry.objects.values_list("id", "household_id")
    }


def _stored() -> dict[int, str | None]:
    return dict(CensusEntry.objects.values_list("id", "head_ethnicity"))


def _member(household: Household, relation: str, ethnicity: str) -> Member:
    return household_services.member_create(
        household=household,
        full_name="Y Bih",
        sex="female",
        birth_year=1990,
        ethnicity=ethnicity,
        relation=relation,
        actor=None,
    )


def test_entries_carry_the_heads_ethnicity_through_every_write(tree):
    make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 500_000, "B": 800_000, "C": 2_000_000})
    make_round(tree.ngok_wang, 2016, "vn-2016", {"A": 500_000, "B": 900_000})
    stored = _stored()
    assert set(stored.values()) == {"14"}  # the factories' heads (Xơ-đăng)
    assert stored == _from_registry()

    # A head's ethnicity changed in the registry: every round's entry of the household moves.
    a = Household.objects.get(commune=tree.ngok_wang, code="A")
    head = Member.objects.get(household=a, relation="head")
    household_services.member_update(
        member=head,
        full_name=head.full_name,
        sex=head.sex,
        birth_year=head.birth_year,
        ethnicity="01",
        relation="head",
        actor=None,
    )
    moved = CensusEntry.objects.filter(household=a)
    assert moved.count() == 2
    assert set(moved.values_list("head_ethnicity", flat=True)) == {"01"}
    assert _stored() == _from_registry()

    # The head removed: no head, NULL (left out of both ethnicity rows); a new head: theirs.
    b = Household.objects.get(commune=tree.ngok_wang, code="B")
    household_services.member_delete(member=b.members.get(relation="head"), actor=None)
    assert set(
        CensusEntry.objects.filter(household=b).values_list("head_ethnicity", flat=True)
    ) == {None}
    _member(b, "head", "10")
    assert set(
        CensusEntry.objects.filter(household=b).values_list("head_ethnicity", flat=True)
    ) == {"10"}
    # A second head (a data error) does not change it: the first head is the household's.
    _member(b, "head", "01")
    assert _stored() == _from_registry()
    assert set(
        CensusEntry.objects.filter(household=b).values_list("head_ethnicity", flat=True)
    ) == {"10"}


def test_the_refresh_and_the_rebuild_mend_what_a_bulk_write_left(tree):
    make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 500_000, "B": 800_000})
    make_round(tree.dak_mar, 2015, "vn-2011", {"C": 500_000})
    CensusEntry.objects.update(head_ethnicity=None)  # as a COPY without the column leaves it
    assert entries_heads_refresh(commune_ids=[tree.ngok_wang.pk]) == 2
    assert set(
        CensusEntry.objects.filter(round__commune=tree.dak_mar).values_list(
            "head_ethnicity", flat=True
        )
    ) == {None}
    assert entries_heads_refresh(commune_ids=[tree.ngok_wang.pk]) == 0  # nothing left to change
    summaries_rebuild()
    assert _stored() == _from_registry()
    assert None not in _stored().values()


def test_the_migration_fills_every_entry(tree):
    make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 500_000, "B": 800_000})
    b = Household.objects.get(commune=tree.ngok_wang, code="B")
    b.members.all().delete()
    CensusEntry.objects.update(head_ethnicity=None)  # the column as the migration adds it
    migration = importlib.import_module("ketnghia.census.migrations.0009_entry_head_ethnicity")
    migration.heads_fill(None, SimpleNamespace(connection=connection))
    assert _stored() == _from_registry()
    assert sorted(_stored().values(), key=str) == ["14", None]


def test_an_import_writes_entries_with_the_heads_ethnicity(tree, users, tmp_path, settings):
    from ketnghia.census import services
    from ketnghia.census.importing import census_import
    from ketnghia.census.tests.census_files import headers, household, write_csv
    from ketnghia.poverty.standards import get_standard

    settings.MEDIA_ROOT = tmp_path
    make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 500_000})  # A and its head exist
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
    imported = dict(census_round.entries.values_list("household_code", "head_ethnicity"))
    assert imported == {"A": "14", "E": None}  # E is new, without members: no head yet
    assert _stored() == _from_registry()
