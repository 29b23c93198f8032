"""Bulk inserts land the same rows on SQLite and PostgreSQL, inside the caller's transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from ketnghia.core.bulk import insert_rows
from ketnghia.households.models import Household


def _rows(tree, n: int, start: int = 0):
    path = tree.village_a.path
    return [
        (tree.ngok_wang.pk, tree.village_a.pk, f"H{i:05d}", f"Chủ hộ {i}", "", "rural", False, path)
        for i in range(start, start + n)
    ]


FIELDS = [
    "commune",
    "village",
    "code",
    "head_name",
    "address",
    "area",
    "area_overridden",
    "unit_path",
]


def test_insert_rows_writes_every_row(tree):
    assert insert_rows(Household, FIELDS, _rows(tree, 12_345)) == 12_345
    household = Household.objects.get(code="H00042")
    assert household.head_name == "Chủ hộ 42"
    assert household.village == tree.village_a
    assert Household.objects.count() == 12_345


def test_insert_rows_rolls_back_with_the_transaction(tree):
    with pytest.raises(RuntimeError), transaction.atomic():
        insert_rows(Household, FIELDS, _rows(tree, 100))
        raise RuntimeError("validation failed later")
    assert Household.objects.count() == 0
