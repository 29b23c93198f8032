"""Who a package's target rule chooses: facts per household or unit, evaluated by the criteria
engine's expression language (`criteria.expressions`: parsed, never `eval`).

A household's facts come from the **official census round** of its commune as of a day: the
latest approved revision of the latest census year not after that day's year. They are what
the proposal freezes in each delivery's snapshot.

Household facts: `poor`, `near_poor` (0/1), `members`, `deprivations` (count), `income`
(monthly per person, VND), `census_year`, `program_commune`, `key_commune` (0/1: the commune
on the document's program list, as a key commune, that day). Village and commune recipients
read the criteria facts of their level (`poverty_rate`, `poor_households`, …) for the year,
plus `program_commune` and `key_commune`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from django.db.models import Q
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.census.summaries import APPROVED_STATES
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.criteria import expressions, facts
from ketnghia.criteria.selectors import unit_refs
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.support.rules import HOUSEHOLD_FACTS

UNIT_EXTRA_FACTS = ("program_commune", "key_commune")

# What a reader sees instead of a fact's name (pages speak names, never codes).
FACT_LABELS = {
    "poor": gettext_lazy("poor household"),
    "near_poor": gettext_lazy("near-poor household"),
    "members": gettext_lazy("household members"),
    "deprivations": gettext_lazy("deprivations"),
    "income": gettext_lazy("monthly income per person"),
    "census_year": gettext_lazy("census year"),
    "program_commune": gettext_lazy("commune of the program"),
    "key_commune": gettext_lazy("key commune"),
}
_WORDS = {"and": gettext_lazy("and"), "or": gettext_lazy("or"), "not": gettext_lazy("not")}
_TOKEN = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)?")


def describe_rule(rule: str, *, level: str) -> str:
    """Return the rule with each fact named in the reader's language ("hộ nghèo == 1 và …")."""
    labels: dict[str, str] = {name: str(label) for name, label in FACT_LABELS.items()}
    if level != "household":
        for fact in facts.known_facts(level).values():
            labels.setdefault(fact.name, fact.vi if get_language() == "vi" else fact.en)

    def word(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in _WORDS:
            return str(_WORDS[token])
        return f"«{labels.get(token, token)}»"

    return _TOKEN.sub(word, rule)


def known_names(level: str) -> frozenset[str]:
    """Return the fact names a target rule for recipients of `level` may read."""
    if level == "household":
        return frozenset(HOUSEHOLD_FACTS)
    return frozenset(facts.known_facts(level)) | frozenset(UNIT_EXTRA_FACTS)


def rule_tree(rule: str, *, level: str, field_name: str = "target_rule") -> expressions.Tree:
    """Return the parsed rule; InvalidInput (Vietnamese, with the position) when it is wrong."""
    where = Location(field=field_name)
    try:
        tree = expressions.parse(rule.strip())
    except expressions.ParseError as error:
        raise InvalidInput(
            Problem(
                _("The target rule does not parse: “%(found)s” at character %(position)s.")
                % {"found": error.found, "position": error.position},
                where,
            )
        ) from None
    unknown = sorted(expressions.names(tree) - known_names(level))
    if unknown:
        raise InvalidInput(
            Problem(
                _("The target rule reads unknown facts: %(names)s. Known: %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(sorted(known_names(level)))},
                where,
            )
        )
    if not expressions.is_boolean(tree):
        raise InvalidInput(
            Problem(_("The target rule must be a condition (a comparison, and, or, not)."), where)
        )
    return tree


@dataclass
class Candidate:
    """One household (or unit) with the facts the rule reads, as of the cycle's census day."""

    household_id: int | None
    unit_id: int
    name: str
    code: str
    facts: dict[str, float | None] = field(default_factory=dict)
    census_year: int | None = None
    status: str = ""

    def snapshot(self) -> dict[str, Any]:
        return {
            "census_year": self.census_year,
            "status": self.status,
            "code": self.code,
            "facts": self.facts,
        }


def official_rounds_as_of(*, commune_ids: Sequence[int], on: date) -> dict[int, tuple[int, int]]:
    """Return commune id → (round id, year) of its official round as of `on`."""
    rows = (
        CensusRound.objects.filter(
            commune_id__in=list(commune_ids), state__in=APPROVED_STATES, year__lte=on.year
        )
        .order_by("commune_id", "year", "revision")
        .values_list("commune_id", "id", "year")
    )
    found: dict[int, tuple[int, int]] = {}
    for commune_id, round_id, year in rows:
        found[commune_id] = (round_id, year)  # later years and revisions come last
    return found


def program_flags(*, program: Program, commune_ids: Sequence[int], on: date) -> dict[int, bool]:
    """Return commune id → is key, for the communes on the program's list on `on`."""
    rows = ProgramCommune.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        program=program,
        commune_id__in=list(commune_ids),
        valid_from__lte=on,
    ).values_list("commune_id", "is_key")
    flags: dict[int, bool] = {}
    for commune_id, is_key in rows:
        flags[commune_id] = flags.get(commune_id, False) or is_key
    return flags


def _entry_rows(
    *, commune_ids: Sequence[int], on: date, program: Program, household_ids: Sequence[int] = ()
) -> tuple[dict[int, bool], dict[int, int], Any]:
    """The communes' program flags, the year of each official round as of `on`, and the
    rounds' entries as tuples (household, round, status, members, deprivations, income,
    village, commune, head's name, household code) in household order."""
    official = official_rounds_as_of(commune_ids=commune_ids, on=on)
    flags = program_flags(program=program, commune_ids=commune_ids, on=on)
    year_of_round = {round_id: year for round_id, year in official.values()}
    entries = CensusEntry.objects.filter(round_id__in=list(year_of_round))
    if household_ids:
        entries = entries.filter(household_id__in=list(household_ids))
    rows = entries.values_list(
        "household_id",
        "round_id",
        "status",
        "member_count",
        "deprivation_count",
        "monthly_income_per_person",
        "household__village_id",
        "household__commune_id",
        "household__head_name",
        "household__code",
    ).order_by("household_id")
    return flags, year_of_round, rows


def household_candidates(
    *, commune_ids: Sequence[int], on: date, program: Program, household_ids: Sequence[int] = ()
) -> list[Candidate]:
    """Return the households of the communes' official rounds as of `on`, with their facts.

    A household the round does not list has no census facts (every census fact missing).
    """
    flags, year_of_round, rows = _entry_rows(
        commune_ids=commune_ids, on=on, program=program, household_ids=household_ids
    )
    result = []
    for (
        household_id,
        round_id,
        status,
        members,
        deprivations,
        income,
        village_id,
        commune_id,
        head_name,
        code,
    ) in rows.iterator(chunk_size=5000):
        year = year_of_round[round_id]
        on_list = commune_id in flags
        result.append(
            Candidate(
                household_id=household_id,
                unit_id=village_id or commune_id,
                name=head_name,
                code=code,
                census_year=year,
                status=status,
                facts={
                    "poor": float(status == "poor"),
                    "near_poor": float(status == "near_poor"),
                    "members": float(members) if members is not None else None,
                    "deprivations": float(deprivations),
                    "income": float(income),
                    "census_year": float(year),
                    "program_commune": float(on_list),
                    "key_commune": float(flags.get(commune_id, False)),
                },
            )
        )
    return result


def unit_candidates(*, units: Sequence[Unit], on: date, program: Program) -> list[Candidate]:
    """Return villages or communes with the criteria facts of their level for `on`'s year."""
    refs = unit_refs(units)
    table = facts.load_facts(units=refs, year=on.year)
    flags = program_flags(program=program, commune_ids=[r.commune_id for r in refs], on=on)
    result = []
    for unit, ref in zip(units, refs, strict=True):
        values = {name: column.get(unit.pk) for name, column in table.items()}
        values["program_commune"] = float(ref.commune_id in flags)
        values["key_commune"] = float(flags.get(ref.commune_id, False))
        result.append(
            Candidate(
                household_id=None,
                unit_id=unit.pk,
                name=unit.name,
                code=unit.code,
                facts=values,
                census_year=on.year,
            )
        )
    return result


def chosen(tree: expressions.Tree, candidates: Sequence[Candidate]) -> list[bool]:
    """Return, per candidate, whether the rule holds (missing counts as not chosen)."""
    size = len(candidates)
    if not size:
        return []
    columns = {
        name: np.array(
            [np.nan if (v := c.facts.get(name)) is None else v for c in candidates],
            dtype=np.float64,
        )
        for name in expressions.names(tree)
    }
    values = expressions.evaluate_many(tree, columns, size)
    return [bool(v == 1.0) for v in values]


def chosen_one(tree: expressions.Tree, candidate: Candidate) -> bool:
    """Return whether the rule holds for one candidate (the scalar path; agrees with `chosen`)."""
    return expressions.evaluate(tree, candidate.facts) == 1.0


def recipient_units(*, level: str, commune: Unit) -> list[Unit]:
    """Return the units a village- or commune-level package may go to in `commune`."""
    if level == UnitLevel.COMMUNE:
        return [commune]
    return list(Unit.objects.filter(parent=commune, level=UnitLevel.VILLAGE).order_by("code"))


@dataclass
class HouseholdTable:
    """The households of communes' official rounds as of a day, as columns (the proposal's
    path: no object per household). Row `i` is the candidate `household_candidates` gives."""

    household_ids: list[int]
    unit_ids: list[int]
    names: list[str]
    codes: list[str]
    statuses: list[str]
    years: list[int]
    facts: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.household_ids)

    def snapshot_json(self, index: int) -> str:
        """Return row `index`'s snapshot as JSON, equal to its `Candidate.snapshot()`."""
        parts = []
        for name in HOUSEHOLD_FACTS:
            value = self.facts[name][index]
            parts.append(f'"{name}": {"null" if value != value else repr(float(value))}')
        return (
            f'{{"census_year": {self.years[index]}, "status": {json.dumps(self.statuses[index])}, '
            f'"code": {json.dumps(self.codes[index], ensure_ascii=False)}, '
            f'"facts": {{{", ".join(parts)}}}}}'
        )


def household_table(*, commune_ids: Sequence[int], on: date, program: Program) -> HouseholdTable:
    """Return `household_candidates`'s households as columns, facts as numpy arrays."""
    flags, year_of_round, rows = _entry_rows(commune_ids=commune_ids, on=on, program=program)
    columns = list(zip(*rows, strict=True)) or [()] * 10
    ids, rounds, statuses, members, deprivations, incomes, villages, communes, names, codes = (
        columns
    )
    size = len(ids)
    status = np.array(statuses, dtype=object)
    years = [year_of_round[r] for r in rounds]
    on_list = np.array([c in flags for c in communes], dtype=np.float64)
    key = np.array([flags.get(c, False) for c in communes], dtype=np.float64)
    facts = {
        "poor": (status == "poor").astype(np.float64) if size else np.zeros(0),
        "near_poor": (status == "near_poor").astype(np.float64) if size else np.zeros(0),
        "members": np.array([np.nan if m is None else m for m in members], dtype=np.float64),
        "deprivations": np.array(deprivations, dtype=np.float64),
        "income": np.array([float(i) for i in incomes], dtype=np.float64),
        "census_year": np.array(years, dtype=np.float64),
        "program_commune": on_list,
        "key_commune": key,
    }
    return HouseholdTable(
        household_ids=list(ids),
        unit_ids=[v or c for v, c in zip(villages, communes, strict=True)],
        names=list(names),
        codes=list(codes),
        statuses=list(statuses),
        years=years,
        facts=facts,
    )


def chosen_rows(tree: expressions.Tree, table: HouseholdTable) -> np.ndarray:
    """Return the indices of the table's rows the rule chooses (agrees with `chosen`)."""
    if not len(table):
        return np.zeros(0, dtype=np.int64)
    columns = {name: table.facts[name] for name in expressions.names(tree) if name in table.facts}
    values = expressions.evaluate_many(tree, columns, len(table))
    return np.flatnonzero(values == 1.0)
