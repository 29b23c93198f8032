"""Derived refreshes belong to the transaction that asked for them: gathered while it runs,
made once when it commits, dropped when it rolls back, never shared with another thread."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from ketnghia.core import derived

# Real commits: these tests are about what a commit (and a rollback) does.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def calls(monkeypatch) -> list[tuple[str, list[int], list[int] | None]]:
    """Replace the registered refreshers by two recording ones: `first` (reads "a", writes
    "b") and `last` (reads everything)."""
    made: list[tuple[str, list[int], list[int] | None]] = []

    def first(*, commune_ids, years, actor):
        made.append(("first", commune_ids, years))
        derived.inputs_changed(commune_ids=[c + 100 for c in commune_ids], years=years, source="b")

    def last(*, commune_ids, years, actor):
        made.append(("last", commune_ids, years))

    monkeypatch.setattr(derived, "_refreshers", {})
    monkeypatch.setattr(derived, "_ordered", [])
    derived.register(last, name="last")
    derived.register(first, name="first", reads={"a"}, writes="b")
    return made


def _in_thread(target) -> threading.Thread:
    def run() -> None:
        try:
            if connection.vendor == "sqlite":
                # The in-memory test database has no busy wait: two open transactions that
                # take the write lock at BEGIN (IMMEDIATE) would refuse each other.
                connection.ensure_connection()
                connection.transaction_mode = None
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_rollback_in_one_thread_keeps_another_threads_refresh(calls):
    opened, asked = threading.Event(), threading.Event()

    def rolled_back() -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            derived.inputs_changed(commune_ids=[1], source="x")
            opened.set()
            asked.wait(5)
            raise RuntimeError("rolled back")

    def committed() -> None:
        opened.wait(5)
        with transaction.atomic():
            derived.inputs_changed(commune_ids=[2], source="x")
        asked.set()

    threads = [_in_thread(rolled_back), _in_thread(committed)]
    for thread in threads:
        thread.join(10)
    assert calls == [("last", [2], None)]


def test_a_transaction_refreshes_once_at_commit_in_dependency_order(calls):
    with transaction.atomic():
        derived.inputs_changed(commune_ids=[1], years=[2015], source="a")
        with transaction.atomic():
            derived.inputs_changed(commune_ids=[1], source="x")
            derived.inputs_changed(commune_ids=[2], years=[2015], source="x")
        derived.inputs_changed(commune_ids=[2], years=[2016], source="x")
        assert calls == []
    # `first` reads "a" only; `last` reads everything, `first`'s own report ("b") included.
    assert calls == [
        ("first", [1], [2015]),
        ("last", [1], None),
        ("last", [2], [2015, 2016]),
        ("last", [101], [2015]),
    ]


def test_a_rollback_drops_what_the_transaction_gathered(calls):
    with pytest.raises(RuntimeError), transaction.atomic():
        derived.inputs_changed(commune_ids=[1], source="a")
        raise RuntimeError("refused")
    assert calls == []
    with transaction.atomic():
        derived.inputs_changed(commune_ids=[2], source="x")
    assert calls == [("last", [2], None)]


def test_a_savepoint_rolled_back_first_does_not_lose_the_later_changes(calls):
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            derived.inputs_changed(commune_ids=[1], source="x")
            raise RuntimeError("refused row")
        derived.inputs_changed(commune_ids=[2], source="x")
    assert calls == [("last", [2], None)]


def test_outside_a_transaction_a_change_is_refreshed_at_once(calls):
    derived.inputs_changed(commune_ids=[3, 3], years=[2015], source="a")
    assert calls == [("first", [3], [2015]), ("last", [3, 103], [2015])]


def test_refreshers_that_read_each_other_are_refused(calls):
    with pytest.raises(Exception, match="cycle"):
        derived.register(lambda **kw: None, name="loop", reads={"b"}, writes="a")
    assert [r.name for r in derived.refreshers()] == ["first", "last"]


def test_a_rebuild_covers_what_was_reported_before_it(calls):
    with transaction.atomic():
        derived.inputs_changed(commune_ids=[1], source="x")
        derived.rebuilt("last")
        derived.inputs_changed(commune_ids=[2], source="x")
    assert calls == [("last", [2], None)]
