"""What is derived from source rows, refreshed once when the transaction that changed them commits.

Apps that hold derived data register a **refresher** in their `AppConfig.ready`:

    derived.register(callback, name="indicators.aggregates")                     # reads every source
    derived.register(callback, name="criteria.assessments",
                     reads={"census.official"}, writes="criteria.assessments")

A write that changes source rows says so, in its transaction, with the communes (and years) it
touched and what kind of rows they were (`source`):

    derived.inputs_changed(commune_ids=[commune.pk], years=[2015], source="census.official")

Nothing is refreshed then. The changes are gathered **per transaction** (per database connection,
so per thread): the first change of a transaction registers one `transaction.on_commit` hook;
every later change of the same transaction joins it. When the outermost transaction commits the
hook runs every refresher once, in dependency order (a refresher that `writes` a source runs
before the refreshers that read it; one without `reads` reads every source and runs last), each
over the union of the changes it reads, inside one new transaction. What a refresher changes
itself (criteria's assessments) is reported with `inputs_changed` as usual and joins the same
run, for the refreshers after it. When the transaction rolls back, Django drops the hook and the
changes with it; a savepoint rolled back inside a committed transaction leaves its changes in the
gathering, so they are refreshed for nothing (a refresh is a recomputation: it costs time, never
truth).

Outside a transaction (autocommit) a change is refreshed at once. A failing refresher raises to
the caller after the source rows committed: `ketnghia aggregates check` shows the difference and
`ketnghia aggregates rebuild` mends it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, transaction

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

Refresh = Callable[..., object]
# Commune id → the years changed (None = every year).
Changes = dict[int, set[int] | None]


@dataclass(frozen=True)
class Refresher:
    """One kind of derived data: what it reads and what it reports as changed itself."""

    name: str
    callback: Refresh  # callback(commune_ids=[...], years=[...] | None, actor=...)
    reads: frozenset[str] | None  # None = every source
    writes: str | None


_refreshers: dict[str, Refresher] = {}
_ordered: list[Refresher] = []


def _order(refreshers: Iterable[Refresher]) -> list[Refresher]:
    """Return the refreshers so that each runs after every refresher whose output it reads."""
    pending = sorted(refreshers, key=lambda r: r.name)
    done: list[Refresher] = []
    while pending:
        ready = [
            r
            for r in pending
            if not any(
                other is not r
                and other.writes is not None
                and (r.reads is None or other.writes in r.reads)
                for other in pending
            )
        ]
        if not ready:
            names = ", ".join(r.name for r in pending)
            raise ImproperlyConfigured(f"Derived refreshers read each other in a cycle: {names}")
        done += ready
        pending = [r for r in pending if r not in ready]
    return done


def register(
    callback: Refresh,
    *,
    name: str,
    reads: Iterable[str] | None = None,
    writes: str | None = None,
) -> None:
    """Call `callback(commune_ids=, years=, actor=)` once per commit that changed what it reads."""
    refresher = Refresher(name, callback, None if reads is None else frozenset(reads), writes)
    candidates = {**_refreshers, name: refresher}
    _ordered[:] = _order(candidates.values())
    _refreshers.clear()
    _refreshers.update(candidates)


def refreshers() -> list[Refresher]:
    """Return the registered refreshers in the order a commit runs them."""
    return list(_ordered)


@dataclass(eq=False)
class _Batch:
    """The changes one transaction reported, in order, and the actor who made them."""

    log: list[tuple[str, list[int], list[int] | None]] = field(default_factory=list)
    # Refresher name → how many reports of the log a rebuild in this transaction covered.
    covered: dict[str, int] = field(default_factory=dict)
    actor: AbstractBaseUser | None = None
    done: bool = False
    hook: Callable[[], None] | None = None  # what `transaction.on_commit` was given

    def add(
        self, source: str, ids: list[int], years: list[int] | None, actor: AbstractBaseUser | None
    ) -> None:
        self.log.append((source, ids, years))
        if actor is not None:
            self.actor = actor

    def read_by(self, refresher: Refresher) -> Changes:
        merged: Changes = {}
        for source, ids, years in self.log[self.covered.get(refresher.name, 0) :]:
            if refresher.reads is not None and source not in refresher.reads:
                continue
            for pk in ids:
                if years is None or merged.get(pk, set()) is None:
                    merged[pk] = None
                else:
                    merged.setdefault(pk, set()).update(years)  # type: ignore[union-attr]
        return merged


@dataclass(eq=False)
class _State:
    batch: _Batch | None = None  # the batch of the connection's open transaction
    running: _Batch | None = None  # the batch whose refreshers are running now


_states: weakref.WeakKeyDictionary[Any, _State] = weakref.WeakKeyDictionary()
_states_lock = threading.Lock()


def _state(connection: Any) -> _State:
    with _states_lock:
        state = _states.get(connection)
        if state is None:
            state = _states[connection] = _State()
        return state


def _calls(changes: Changes) -> list[tuple[list[int], list[int] | None]]:
    """Group the changed communes into calls: every year first, then one call per year list."""
    calls: list[tuple[list[int], list[int] | None]] = []
    everything = sorted(pk for pk, years in changes.items() if years is None)
    if everything:
        calls.append((everything, None))
    by_years: dict[tuple[int, ...], list[int]] = {}
    for pk, years in sorted(changes.items()):
        if years is not None:
            by_years.setdefault(tuple(sorted(years)), []).append(pk)
    calls += [(ids, list(years)) for years, ids in by_years.items()]
    return calls


def _run(connection: Any, batch: _Batch) -> None:
    """Run every refresher over what `batch` gathered, once, in one transaction."""
    if batch.done:
        return
    batch.done = True
    state = _state(connection)
    if state.batch is batch:
        state.batch = None
    outer = state.running
    state.running = batch
    try:
        with transaction.atomic(using=connection.alias):
            for refresher in _ordered:
                for ids, years in _calls(batch.read_by(refresher)):
                    refresher.callback(commune_ids=ids, years=years, actor=batch.actor)
    finally:
        state.running = outer


def _live(connection: Any, batch: _Batch) -> bool:
    """Whether `batch`'s commit hook still waits: Django drops it when the transaction (or the
    savepoint it was registered in) rolls back, and clears it at commit."""
    return not batch.done and any(entry[1] is batch.hook for entry in connection.run_on_commit)


def inputs_changed(
    *,
    commune_ids: Iterable[int],
    years: Iterable[int] | None = None,
    source: str,
    actor: AbstractBaseUser | None = None,
) -> None:
    """Refresh, when this transaction commits, what is derived from `source` rows of
    `commune_ids` in `years` (None = every year)."""
    ids = sorted(set(commune_ids))
    if not ids:
        return
    year_list = None if years is None else sorted(set(years))
    connection = transaction.get_connection(DEFAULT_DB_ALIAS)
    state = _state(connection)
    if state.running is not None:
        # Reported by a refresher: the refreshers after it take it in the same run.
        state.running.add(source, ids, year_list, actor)
        return
    if not connection.in_atomic_block:
        batch = _Batch()
        batch.add(source, ids, year_list, actor)
        _run(connection, batch)
        return
    current = state.batch
    if current is None or not _live(connection, current):
        batch = state.batch = _Batch()

        def hook(connection: Any = connection, batch: _Batch = batch) -> None:
            _run(connection, batch)

        batch.hook = hook
        transaction.on_commit(hook, using=connection.alias)
    else:
        batch = current
    batch.add(source, ids, year_list, actor)


def run_as_committed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Run the refreshes gathered so far, as the commit of the transaction would.

    For the test harness only: a test that runs inside a transaction never commits, so the
    outermost block a real request would commit ends here instead (`ketnghia/conftest.py`).
    """
    connection = transaction.get_connection(using)
    batch = _state(connection).batch
    if batch is not None and _live(connection, batch):
        _run(connection, batch)


def rebuilt(name: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Record that refresher `name`'s data was rebuilt whole in this transaction: what was
    reported before needs no refresh of it at commit (the demo's load ends with a rebuild)."""
    connection = transaction.get_connection(using)
    batch = _state(connection).batch
    if batch is not None and _live(connection, batch):
        batch.covered[name] = len(batch.log)
