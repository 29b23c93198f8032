"""Pure rules of the unit tree, classifications and successions (no database access).

Services and importers call these to decide; tests exercise them directly.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby

from django.utils.translation import gettext as _

from ketnghia.core.text import fold
from ketnghia.geo.models import ClassificationScheme, UnitKind, UnitLevel

# --- The unit tree -------------------------------------------------------------------------

# Before 1 July 2025 a commune sat under a district; since the reform abolished districts it
# sits directly under its province. Both trees live side by side in the same table.
ALLOWED_PARENT_LEVELS: dict[str, frozenset[str]] = {
    UnitLevel.PROVINCE: frozenset(),
    UnitLevel.DISTRICT: frozenset({UnitLevel.PROVINCE}),
    UnitLevel.COMMUNE: frozenset({UnitLevel.DISTRICT, UnitLevel.PROVINCE}),
    UnitLevel.VILLAGE: frozenset({UnitLevel.COMMUNE}),
}


def level_name(level: str) -> str:
    """Return a level's name for a sentence ("xã", "commune"), in the active language."""
    try:
        return str(UnitLevel(level).label).lower()
    except ValueError:
        return level


# Codes become segments of `Unit.path` ("/62/610/23305/"), so they must not hold a slash,
# and spaces would make them impossible to type back.
_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._\-]{0,19}")


def code_problem(code: str) -> str | None:
    """Return why `code` cannot be a unit code, or None when it can."""
    if not code:
        return _("The code is blank.")
    if not _CODE.fullmatch(code):
        return _(
            "The code “%(code)s” is not valid: use up to 20 letters, digits, “-”, “_” or “.”."
        ) % {"code": code}
    return None


def parent_problem(level: str, parent_level: str | None) -> str | None:
    """Return why a unit of `level` cannot sit under a unit of `parent_level`, or None."""
    allowed = ALLOWED_PARENT_LEVELS.get(level)
    if allowed is None:
        return _("Unknown unit level “%(level)s”.") % {"level": level}
    if parent_level is None:
        if allowed:
            return _("A %(level)s needs a parent unit.") % {"level": level_name(level)}
        return None
    if parent_level not in allowed:
        return _("A %(level)s cannot be placed under a %(parent)s.") % {
            "level": level_name(level),
            "parent": level_name(parent_level),
        }
    return None


def is_within(path: str, ancestor_path: str) -> bool:
    """Return whether the unit at `path` is the unit at `ancestor_path` or below it."""
    return path.startswith(ancestor_path)


def moved_path(path: str, old_prefix: str, new_prefix: str) -> str:
    """Return `path` with its `old_prefix` replaced, for a subtree moved to a new parent."""
    if not path.startswith(old_prefix):
        raise ValueError(f"{path!r} is not under {old_prefix!r}")
    return new_prefix + path[len(old_prefix) :]


# --- Villages ------------------------------------------------------------------------------

# Folded name prefixes, longest first so "to dan pho" wins over shorter ones.
_VILLAGE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("to dan pho", UnitKind.TO_DAN_PHO),
    ("tdp", UnitKind.TO_DAN_PHO),
    ("thon", UnitKind.THON),
    ("lang", UnitKind.LANG),
    ("ban", UnitKind.BAN),
)
_VILLAGE_PREFIXES_ACCENTED: tuple[tuple[str, str], ...] = (
    ("tổ dân phố", UnitKind.TO_DAN_PHO),
    ("tdp", UnitKind.TO_DAN_PHO),
    ("thôn", UnitKind.THON),
    ("làng", UnitKind.LANG),
    ("bản", UnitKind.BAN),
)
_VILLAGE_KIND_WORDS: dict[str, str] = {
    **dict(_VILLAGE_PREFIXES),
    "to": UnitKind.TO_DAN_PHO,
    "village": UnitKind.THON,
}


def village_kind_from_name(name: str) -> str:
    """Return the village kind a name announces ("Làng Kon Stiu" → làng); thôn by default.

    Prefixes are compared with their diacritics ("Bàn Thạch" is no bản); only a name written
    without any diacritics is compared folded ("Lang Kon Stiu").
    """
    text = " ".join(unicodedata.normalize("NFC", name).casefold().split())
    prefixes = _VILLAGE_PREFIXES if text == fold(name) else _VILLAGE_PREFIXES_ACCENTED
    for prefix, kind in prefixes:
        if text == prefix or text.startswith(prefix + " ") or text.startswith(prefix + "."):
            return kind
    return UnitKind.THON


def village_kind_from_text(text: str) -> str | None:
    """Return the village kind written in a kind column ("Tổ dân phố", "TDP", "bản"), or None."""
    return _VILLAGE_KIND_WORDS.get(" ".join(fold(text).replace("_", " ").replace("-", " ").split()))


def village_code(commune_code: str, number: int) -> str:
    """Return the generated code of a village: the commune's code and a running number."""
    return f"{commune_code}-{number:02d}"


def next_village_number(commune_code: str, taken: Iterable[str]) -> int:
    """Return the first running number above every generated code already used in the commune."""
    prefix = commune_code + "-"
    numbers = [
        int(code[len(prefix) :])
        for code in taken
        if code.startswith(prefix) and code[len(prefix) :].isdigit()
    ]
    return max(numbers, default=0) + 1


# --- Classifications -----------------------------------------------------------------------

SCHEME_LEVEL: dict[str, str] = {
    ClassificationScheme.COMMUNE_REGION: UnitLevel.COMMUNE,
    ClassificationScheme.ESPECIALLY_DIFFICULT_VILLAGE: UnitLevel.VILLAGE,
}
# The value stored for a village on the especially difficult list.
ESPECIALLY_DIFFICULT = "ĐBKK"

_SCHEME_WORDS: dict[str, str] = {
    "commune region": ClassificationScheme.COMMUNE_REGION,
    "commune_region": ClassificationScheme.COMMUNE_REGION,
    "region": ClassificationScheme.COMMUNE_REGION,
    "khu vuc": ClassificationScheme.COMMUNE_REGION,
    "khu vuc xa": ClassificationScheme.COMMUNE_REGION,
    "xa khu vuc": ClassificationScheme.COMMUNE_REGION,
    "especially difficult village": ClassificationScheme.ESPECIALLY_DIFFICULT_VILLAGE,
    "especially_difficult_village": ClassificationScheme.ESPECIALLY_DIFFICULT_VILLAGE,
    "thon dbkk": ClassificationScheme.ESPECIALLY_DIFFICULT_VILLAGE,
    "thon dac biet kho khan": ClassificationScheme.ESPECIALLY_DIFFICULT_VILLAGE,
    "dbkk": ClassificationScheme.ESPECIALLY_DIFFICULT_VILLAGE,
}
_REGIONS = {"i": "I", "1": "I", "ii": "II", "2": "II", "iii": "III", "3": "III"}
_YES = {"x", "co", "yes", "1", "true", "dbkk", "dac biet kho khan", "thon dbkk"}
_REGION_PREFIX = re.compile(r"^(khu vuc|kv|region)\s*")


def scheme_from_text(text: str) -> str | None:
    """Return the scheme a cell names ("Khu vực", "thôn ĐBKK", "commune_region"), or None."""
    return _SCHEME_WORDS.get(fold(text))


def classification_value(scheme: str, text: str) -> str:
    """Return the stored value for `text` in `scheme` ("khu vực III", "3" → "III"); ValueError if none."""
    folded = fold(text)
    if scheme == ClassificationScheme.COMMUNE_REGION:
        value = _REGIONS.get(_REGION_PREFIX.sub("", folded))
        if value is None:
            raise ValueError(
                _("A commune region is I, II or III, not “%(value)s”.") % {"value": text}
            )
        return value
    if scheme == ClassificationScheme.ESPECIALLY_DIFFICULT_VILLAGE:
        if folded in _YES:
            return ESPECIALLY_DIFFICULT
        raise ValueError(
            _("An especially difficult village is marked “x” or “ĐBKK”, not “%(value)s”.")
            % {"value": text}
        )
    raise ValueError(_("Unknown classification scheme “%(scheme)s”.") % {"scheme": scheme})


def classification_level_problem(scheme: str, level: str) -> str | None:
    """Return why a unit of `level` cannot be classified in `scheme`, or None."""
    wanted = SCHEME_LEVEL.get(scheme)
    if wanted is None:
        return _("Unknown classification scheme “%(scheme)s”.") % {"scheme": scheme}
    if level != wanted:
        return _("Only a %(wanted)s can be classified in this scheme, not a %(level)s.") % {
            "wanted": level_name(wanted),
            "level": level_name(level),
        }
    return None


def period_problem(start_year: int, end_year: int) -> str | None:
    """Return why a classification period is impossible, or None."""
    if not (1945 <= start_year <= 2100 and 1945 <= end_year <= 2100):
        return _("Years must lie between 1945 and 2100.")
    if end_year < start_year:
        return _("The period ends (%(end)s) before it starts (%(start)s).") % {
            "start": start_year,
            "end": end_year,
        }
    return None


def periods_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Return whether two inclusive year ranges share a year."""
    return a[0] <= b[1] and b[0] <= a[1]


# --- Successions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SuccessionEdge:
    """`share` of unit `old` passed to unit `new` on `date` (codes, not database rows).

    `source` tells the caller where the edge came from (a file row; None for stored ones).
    """

    old: str
    new: str
    date: date
    share: float | Decimal = 1
    source: Hashable | None = None


_EPSILON = 1e-9


def _succession_dates(
    successions: Sequence[SuccessionEdge], *, data_date: date, as_of: date
) -> Iterator[dict[str, list[SuccessionEdge]]]:
    """Yield the successions after `data_date` up to `as_of` a date at a time, in date order,
    each date's edges grouped by the unit they leave."""
    applicable = sorted(
        (edge for edge in successions if data_date < edge.date <= as_of),
        key=lambda edge: edge.date,
    )
    for _day, same_day in groupby(applicable, key=lambda edge: edge.date):
        by_old: dict[str, list[SuccessionEdge]] = defaultdict(list)
        for edge in same_day:
            by_old[edge.old].append(edge)
        yield by_old


def reaggregate(
    values: Mapping[str, float],
    successions: Sequence[SuccessionEdge],
    *,
    as_of: date,
    data_date: date,
) -> dict[str, float]:
    """Carry per-unit counts measured on `data_date` to the units in force on `as_of`.

    Successions dated after `data_date` and on or before `as_of` are applied in date order, so
    chains (a 2015 unit → a 2020 unit → a 2025 unit) are followed. An old unit's value is split
    among its new units by share; whatever its shares on a date leave (a unit that only gave
    part of itself away) stays with it, and a unit that gave away all of itself disappears.
    Units no succession touches keep their values.
    """
    current = {code: float(value) for code, value in values.items()}
    for by_old in _succession_dates(successions, data_date=data_date, as_of=as_of):
        # Every edge of one date reads the values as they stood the day before, so a unit that
        # is both receiving and giving on the same date is not counted twice.
        arriving: dict[str, float] = defaultdict(float)
        for old, edges in by_old.items():
            if old not in current:
                continue
            amount = current[old]
            given = 0.0
            for edge in edges:
                share = float(edge.share)
                arriving[edge.new] += amount * share
                given += share
            if given >= 1 - _EPSILON:
                del current[old]
            else:
                current[old] = amount * (1 - given)
        for new, amount in arriving.items():
            current[new] = current.get(new, 0.0) + amount
    return current


def succession_problems(edges: Sequence[SuccessionEdge]) -> list[tuple[SuccessionEdge, str, str]]:
    """Return what is wrong with a set of successions, as (edge, field, message) triples.

    `field` names the part of the edge at fault: "old", "new", "date" or "share".

    The set is everything that would be stored (the database's edges and a file's). Only edges
    with a `source` are blamed, so a conflict is reported on the rows that cause it. Checked:
    old and new the same; a share outside (0, 1]; the shares leaving one unit on one date
    adding to more than 1; overlaps (a unit succeeded on another date after it gave all of
    itself away: it no longer exists); cycles (A → B and B → A, directly or through others).
    """
    problems: list[tuple[SuccessionEdge, str, str]] = []
    for edge in edges:
        if edge.old == edge.new:
            problems.append((edge, "new", _("A unit cannot succeed itself.")))
        if not 0 < Decimal(str(edge.share)) <= 1:
            problems.append(
                (
                    edge,
                    "share",
                    _("The share must be above 0 and at most 1 (100%%), not %(share)s.")
                    % {"share": edge.share},
                )
            )

    by_old: dict[str, dict[date, list[SuccessionEdge]]] = defaultdict(lambda: defaultdict(list))
    for edge in edges:
        by_old[edge.old][edge.date].append(edge)
    for old, by_date in by_old.items():
        totals = {day: sum(Decimal(str(e.share)) for e in group) for day, group in by_date.items()}
        for day, group in by_date.items():
            if totals[day] > 1:
                message = _(
                    "The shares leaving unit %(code)s on %(date)s add up to %(total)s, more than 1."
                ) % {"code": old, "date": day.strftime("%d/%m/%Y"), "total": totals[day]}
                problems.extend((edge, "share", message) for edge in group)
        ended = sorted(day for day, total in totals.items() if total >= 1)
        if ended:
            end = ended[0]
            for day, group in by_date.items():
                if day > end:
                    message = _(
                        "Overlapping successions: unit %(code)s already passed wholly to other "
                        "units on %(end)s, so it cannot be succeeded again on %(date)s."
                    ) % {
                        "code": old,
                        "end": end.strftime("%d/%m/%Y"),
                        "date": day.strftime("%d/%m/%Y"),
                    }
                    problems.extend((edge, "date", message) for edge in group)
                    problems.extend((edge, "date", message) for edge in by_date[end])

    for edge in _edges_in_cycles(edges):
        problems.append(
            (
                edge,
                "new",
                _("Successions form a cycle: unit %(new)s leads back to unit %(old)s.")
                % {"old": edge.old, "new": edge.new},
            )
        )
    seen: set[tuple[int, str]] = set()
    unique = []
    for edge, field, message in problems:
        if edge.source is not None and (id(edge), message) not in seen:
            seen.add((id(edge), message))
            unique.append((edge, field, message))
    return unique


def _edges_in_cycles(edges: Sequence[SuccessionEdge]) -> list[SuccessionEdge]:
    """Return the edges whose both ends lie in one strongly connected component (Tarjan)."""
    graph: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        if edge.old != edge.new:
            graph[edge.old].append(edge.new)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    component: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    # Iterative, so a long chain of successions cannot exhaust Python's recursion limit.
    for root in list(graph):
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, []))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = index[node]
                    if member == node:
                        break
    return [
        edge
        for edge in edges
        if edge.old != edge.new
        and component.get(edge.old) == component.get(edge.new)
        and edge.old in component
    ]


def carry_sources(
    codes: Iterable[str],
    successions: Sequence[SuccessionEdge],
    *,
    as_of: date,
    data_date: date,
) -> dict[str, dict[str, float]]:
    """Say which fraction of each unit of `codes` (in force on `data_date`) lies in each unit
    in force on `as_of`: {unit on as_of: {unit of codes: fraction}}.

    The same walk as `reaggregate` (successions after `data_date` up to `as_of`, in date
    order, split by share, what a partial split leaves stays), but it keeps where every part
    came from, so a figure can be re-aggregated and drilled down to its old units at once:
    `reaggregate(values)[new] == sum(values[old] * fraction for old, fraction in
    carry_sources(values)[new].items())`.
    """
    current: dict[str, dict[str, float]] = {code: {code: 1.0} for code in codes}
    for by_old in _succession_dates(successions, data_date=data_date, as_of=as_of):
        arriving: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for old, edges in by_old.items():
            if old not in current:
                continue
            parts = current[old]
            given = 0.0
            for edge in edges:
                share = float(edge.share)
                for origin, fraction in parts.items():
                    arriving[edge.new][origin] += fraction * share
                given += share
            if given >= 1 - _EPSILON:
                del current[old]
            else:
                current[old] = {origin: f * (1 - given) for origin, f in parts.items()}
        for new, parts in arriving.items():
            target = current.setdefault(new, {})
            for origin, fraction in parts.items():
                target[origin] = target.get(origin, 0.0) + fraction
    return current


@dataclass(frozen=True)
class Carried:
    """A ratio's numerator and denominator carried to one unit, and where they came from."""

    unit: str
    numerator: float
    denominator: float
    sources: dict[str, float]  # old unit code -> fraction of it that went into `unit`

    def value(self, factor: float = 1) -> float | None:
        return self.numerator / self.denominator * factor if self.denominator else None


def carry_ratio(
    figures: Mapping[str, tuple[float, float]],
    successions: Sequence[SuccessionEdge],
    *,
    as_of: date,
    data_date: date,
) -> dict[str, Carried]:
    """Carry per-unit (numerator, denominator) pairs to the units in force on `as_of`.

    Numerators and denominators travel separately (a rate is never carried) and are divided
    only afterwards, so a merged commune's poverty rate is its predecessors' poor households
    over their households. Totals are conserved when every old unit passes wholly on.
    """
    carried: dict[str, Carried] = {}
    for unit, sources in carry_sources(
        figures, successions, as_of=as_of, data_date=data_date
    ).items():
        numerator = sum(figures[old][0] * fraction for old, fraction in sources.items())
        denominator = sum(figures[old][1] * fraction for old, fraction in sources.items())
        carried[unit] = Carried(unit, numerator, denominator, dict(sources))
    return carried


# --- The 2025 reform ------------------------------------------------------------------------

# Resolution 202/2025/QH15 and the Standing Committee's resolutions of 16 June 2025: the new
# provinces and communes are in force from 1 July 2025; districts are abolished.
REFORM_2025_DATE = date(2025, 7, 1)
# After the reform a commune often keeps the national code of one of the communes it was
# merged from; both live in the same table, so the post-reform unit is stored with this suffix
# ("23302" Phường Lê Lợi before, "23302-2025" Phường Đăk Bla after).
REFORM_2025_SUFFIX = "-2025"


def reform_2025_code(national_code: str) -> str:
    """Return the stored code of a post-2025 commune from its national code."""
    return f"{national_code}{REFORM_2025_SUFFIX}"


def national_code_of(code: str) -> str:
    """Return the national code a stored code stands for ("23302-2025" → "23302")."""
    return code.removesuffix(REFORM_2025_SUFFIX)
