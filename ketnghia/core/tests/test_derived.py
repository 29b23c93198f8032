"""Derived refreshes belong to the transaction that asked for them."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from ketnghia.core import derived

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(target) -> threading.Thread:
    def run() -> None:
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_rollback_in_one_thread_keeps_another_threads_refresh(monkeypatch):
    calls: list[list[int]] = []
    monkeypatch.setattr(
        derived, "_callbacks", [lambda *, commune_ids, years: calls.append(commune_ids)]
    )
    opened, asked = threading.Event(), threading.Event()

    def rolled_back() -> None:
        with pytest.raises(RuntimeError), transaction.atomic(), derived.batched():
            derived.inputs_changed(commune_ids=[1])
            opened.set()
            asked.wait(5)
            raise RuntimeError("rolled back")

    def committed() -> None:
        opened.wait(5)
        # Outside a transaction (SQLite's test database takes one writer at a time): refreshed
        # at once, whatever the other thread does.
        derived.inputs_changed(commune_ids=[2])
        asked.set()

    threads = [_in_thread(rolled_back), _in_thread(committed)]
    for thread in threads:
        thread.join(10)
    assert calls == [[2]]
