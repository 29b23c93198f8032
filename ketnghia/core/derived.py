"""What is derived from source rows, refreshed in the transaction of each write that changes them.

Apps that hold derived tables (indicators' aggregates) register a callback in their
`AppConfig.ready`; the writes of census, criteria and twinning call `inputs_changed` with the
communes (and years) they touched. Kept here so those apps need not import their readers.
Inside `batched()` the calls are gathered and made once when the block ends (a write that
loops over rows refreshes once).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

Refresh = Callable[..., object]
_callbacks: list[Refresh] = []
# While batched: commune ids → years (None = every year).
_pending: list[dict[int, set[int] | None]] = []


def register(callback: Refresh) -> None:
    """Call `callback(commune_ids=..., years=...)` after each write that changes inputs."""
    if callback not in _callbacks:
        _callbacks.append(callback)


def _call(ids: list[int], years: list[int] | None) -> None:
    for callback in _callbacks:
        callback(commune_ids=ids, years=years)


def inputs_changed(*, commune_ids: Iterable[int], years: Iterable[int] | None = None) -> None:
    """Refresh what is derived from the rows of `commune_ids` (in `years`; None = all)."""
    ids = sorted(set(commune_ids))
    if not ids:
        return
    if _pending:
        gathered = _pending[-1]
        for pk in ids:
            if years is None:
                gathered[pk] = None
            elif pk not in gathered:
                gathered[pk] = set(years)
            elif gathered[pk] is not None:
                gathered[pk].update(years)  # type: ignore[union-attr]
        return
    _call(ids, None if years is None else sorted(set(years)))


@contextmanager
def batched() -> Iterator[None]:
    """Gather the refreshes asked inside the block and make them once at its end."""
    _pending.append({})
    try:
        yield
    except BaseException:
        _pending.pop()
        raise
    gathered = _pending.pop()
    everything = sorted(pk for pk, years in gathered.items() if years is None)
    if everything:
        inputs_changed(commune_ids=everything)
    by_years: dict[tuple[int, ...], list[int]] = {}
    for pk, years in gathered.items():
        if years is not None:
            by_years.setdefault(tuple(sorted(years)), []).append(pk)
    for years_key, ids in by_years.items():
        inputs_changed(commune_ids=ids, years=years_key)
