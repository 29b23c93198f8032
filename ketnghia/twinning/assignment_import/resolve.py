"""Look the file's references up, inside the user's scope, and check the rules of one row.

Communes by national code (a code that lost its leading zeros is padded), villages by code
or name (the census import's `VillageLookup`), households by their code in the commune,
organisations by name, short name or number, people by the number the template carries or,
for a new person of the people sheet, by the code the file gives them. A unit, household or
person outside the user's scope is refused with the very message a missing one gets, so a
file cannot probe what exists. Then the rules one row must keep whatever else the file says:
a district office's village in its district, a committee member's village and a Party
member's household in their commune (when the program's rules say so), the right role.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from ketnghia.core.errors import Problem
from ketnghia.core.gate import UnitScope
from ketnghia.core.personal_data import Kind, is_masked_form, masked
from ketnghia.core.text import fold
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.models import Household
from ketnghia.imports.readers import Row
from ketnghia.imports.values import Village, VillageLookup
from ketnghia.twinning.assignment_import.plan import Held
from ketnghia.twinning.assignment_import.read import TWINNING, AssignmentLine, PersonLine
from ketnghia.twinning.models import (
    Assignment,
    AssignmentKind,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    Twinning,
)
from ketnghia.twinning.rules import NetworkRules
from ketnghia.twinning.selectors import network_rules_for


@dataclass
class PersonFacts:
    """What the rules need to know of a person the file assigns (as the file leaves them)."""

    key: str
    name: str
    role: str
    commune_id: int | None


@dataclass
class PersonChange:
    """A people-sheet row: a new person (`person` None, `changes` its fields) or a stored one
    and the fields that change."""

    line: PersonLine
    commune: Unit
    village: Unit | None
    person: Person | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    # For a new person: the stored people of the same name, birth year and role in the
    # commune, as a message located at the row (the preview shows it; never merged).
    suggestion: str = ""


def commune_by_code(code: str, scope: UnitScope) -> Unit | None:
    """Return the commune of national code `code` (a code that lost its leading zeros is
    padded) if `scope` holds it; None otherwise, as for a missing one."""
    variants = {code, code.zfill(5)} if code.isdigit() else {code}
    unit = Unit.objects.filter(code__in=variants, level=UnitLevel.COMMUNE).first()
    return unit if unit is not None and scope.contains_path(unit.path) else None


def _record(kind: str, responsible: str, target: str) -> str:
    if kind == TWINNING:
        return _("%(organisation)s ↔ %(commune)s") % {
            "organisation": responsible,
            "commune": target,
        }
    return _("%(kind)s %(responsible)s → %(target)s") % {
        "kind": AssignmentKind(kind).label,
        "responsible": responsible,
        "target": target,
    }


def _same_person(line: PersonLine, person: Person) -> bool:
    """Whether a row found by its code still names the person the code was given to."""
    if fold(line.full_name) != fold(person.full_name):
        return False
    return line.birth_year is None or person.birth_year in (None, line.birth_year)


def _describe_person(person: Person) -> str:
    where = person.village.name if person.village_id else _("no village")
    return _("%(name)s (number %(number)s, born %(year)s, %(village)s)") % {
        "name": person.full_name,
        "number": person.pk,
        "year": person.birth_year or "?",
        "village": where,
    }


def _suggestion(line: PersonLine, village: Unit | None, namesakes: list[Person]) -> str:
    """The preview's note on a new person whose name and birth year stored people share."""
    same_village = [p for p in namesakes if village is not None and p.village_id == village.pk]
    values = {
        "name": line.full_name,
        "code": line.key,
        "year": line.birth_year or "?",
        "people": "; ".join(_describe_person(p) for p in namesakes),
    }
    if len(same_village) == 1 and len(namesakes) == 1:
        message = _(
            "New person %(name)s (code %(code)s, born %(year)s) has the name, birth year and "
            "village of stored %(people)s. A new person is created, the stored one is not "
            "changed; if they are the same person, write number %(number)s instead of "
            "“%(code)s”."
        ) % {**values, "number": same_village[0].pk}
    else:
        message = _(
            "New person %(name)s (code %(code)s, born %(year)s) shares name and birth year "
            "with %(count)s stored people: %(people)s. A new person is created and none of "
            "them is changed; if the row means one of them, write that person's number "
            "instead of “%(code)s”."
        ) % {**values, "count": len(namesakes)}
    return str(line.where.problem("person", message))


def _fields(line: PersonLine, commune: Unit, village: Unit | None) -> dict[str, Any]:
    """Return the stored fields of the person a people-sheet row describes."""
    return {
        "full_name": line.full_name,
        "sex": line.sex,
        "birth_year": line.birth_year,
        "ethnicity": line.ethnicity,
        "phone": line.phone,
        "role": line.role,
        "commune_id": commune.pk,
        "village_id": village.pk if village else None,
        "active_from": line.active_from,
        "active_to": line.active_to,
    }


def _stored_change(
    line: PersonLine, commune: Unit, village: Unit | None, person: Person
) -> PersonChange | str:
    """Return what a row found by identity (number or code) changes of a stored person, or
    why a masked phone cannot be kept."""
    phone = line.phone
    if phone and is_masked_form(phone, kind=Kind.PHONE):
        if masked(person.phone, kind=Kind.PHONE) != phone:
            return _(
                "The phone number “%(phone)s” is masked and matches nothing "
                "stored for %(name)s: write it in full or leave it as it was."
            ) % {"phone": phone, "name": person.full_name}
        phone = person.phone
    wanted = _fields(line, commune, village) | {"phone": phone}
    changes = {name: value for name, value in wanted.items() if getattr(person, name) != value}
    return PersonChange(line, commune, village, person, changes)


class Resolved:
    """The file's references looked up once each, inside the scope: the assignment rows
    resolved (`wanted`), the people sheet's rows (`people`), the communes, every problem."""

    def __init__(self, scope: UnitScope, default: Unit | None, only: Unit | None) -> None:
        self.scope, self.default, self.only = scope, default, only
        self.wanted: list[AssignmentLine] = []
        self.people: list[PersonChange] = []
        self.communes: dict[int, Unit] = {}
        self.problems: list[Problem] = []
        self.by_code: dict[str, Unit | None] = {}
        self.villages: dict[int, VillageLookup] = {}
        self.village_units: dict[int, Unit] = {}
        # Whom the assignment rows may name, by the code they write: stored people by
        # number, the people sheet's rows by their code.
        self.facts: dict[str, PersonFacts] = {}
        # Households by (commune, code); organisations by number, name and short name.
        self.households: dict[tuple[int, str], Household] = {}
        self.organisations: dict[str, Organisation | None] = {}
        self.networks: dict[int, NetworkRules] = {}

    def commune(self, where: Row, code: str) -> Unit | None:
        """Return the row's commune (the file's when it names none); None, its problem
        listed, when unknown or not the one the file may touch."""
        if not code:
            if self.default is None:
                self.problems.append(
                    where.problem(
                        "commune_code",
                        _(
                            "The file does not say its commune: write the commune code in "
                            "the column “Mã xã”, or use the commune's template."
                        ),
                    )
                )
            return self.default
        if code not in self.by_code:
            self.by_code[code] = commune_by_code(code, self.scope)
        commune, only = self.by_code[code], self.only
        if commune is None:
            message = _("Unknown commune code “%(code)s”.") % {"code": code}
        elif only is not None and commune.pk != only.pk:
            message = _(
                "This row is of %(other)s (code %(other_code)s), not of %(commune)s "
                "(code %(code)s): import it from that commune's page."
            ) % {
                "other": commune.name,
                "other_code": commune.code,
                "commune": only.name,
                "code": only.code,
            }
        else:
            return commune
        self.problems.append(where.problem("commune_code", message))
        return None

    def village(self, commune: Unit, where: Row, text: str, problems: list[Problem]) -> Unit | None:
        """Return the commune's village `text` names; None, its problem listed, when none
        does (or several do)."""
        if commune.pk not in self.villages:
            units = [
                unit
                for unit in Unit.objects.filter(parent=commune, level=UnitLevel.VILLAGE)
                if self.scope.contains_path(unit.path)
            ]
            self.village_units.update({unit.pk: unit for unit in units})
            self.villages[commune.pk] = VillageLookup(
                [Village(u.pk, u.code, u.name, u.path, "") for u in units]
            )
        found = self.villages[commune.pk].find(text)
        if isinstance(found, Village):
            return self.village_units[found.id]
        problems.append(
            where.problem(
                "village",
                _("Unknown village “%(village)s” in %(commune)s.")
                % {"village": text, "commune": commune.name},
            )
        )
        return None

    def keep(self, change: PersonChange | str, line: PersonLine, key: str) -> None:
        """Keep a people-sheet row's change (or its problem); the rows may name it by code."""
        if isinstance(change, str):
            self.problems.append(line.where.problem("phone", change))
            return
        self.people.append(change)
        self.facts[line.key] = PersonFacts(key, line.full_name, line.role, change.commune.pk)

    def add_people(self, lines: list[PersonLine], stored: dict[int, Person]) -> None:
        """Resolve the people sheet: stored people by number or by the code an earlier import
        stored, new ones by the sheet's own codes."""
        rows: dict[str, PersonLine] = {}
        new: list[tuple[PersonLine, Unit, Unit | None]] = []
        for line in lines:
            if line.key in rows:
                self.problems.append(
                    line.where.problem(
                        "person",
                        _("The person code “%(code)s” is used twice: also on row %(row)s.")
                        % {"code": line.key, "row": rows[line.key].where.number},
                    )
                )
                continue
            rows[line.key] = line
            commune = self.commune(line.where, line.commune_code)
            if commune is None:
                continue
            village = None
            if line.village:
                village = self.village(commune, line.where, line.village, self.problems)
                if village is None:
                    continue
            if not line.key.isdigit():
                new.append((line, commune, village))
            elif (person := stored.get(int(line.key))) is not None:
                self.keep(_stored_change(line, commune, village, person), line, f"p:{person.pk}")
            else:
                self.problems.append(
                    line.where.problem(
                        "person", _("Unknown person code “%(code)s”.") % {"code": line.key}
                    )
                )
        if new:
            self._new_people(new)

    def _new_people(self, new: list[tuple[PersonLine, Unit, Unit | None]]) -> None:
        # A code of the file's own ("M1") is the person's identity once imported: the same
        # file imported again finds them by it. Name and birth year never merge a row into a
        # stored person (namesakes born the same year are common in a commune): they only
        # suggest, in the preview, the number to write if the row means a stored person.
        communes = {commune.pk for _line, commune, _village in new}
        by_code: dict[tuple[int, str], list[Person]] = defaultdict(list)
        candidates: dict[tuple[int, str], list[Person]] = defaultdict(list)
        people = Person.objects.filter(commune_id__in=communes).select_related("village")
        coded = people.filter(file_code__in={line.key for line, *_ in new})
        for person in self.scope.filter(coded, "unit_path"):
            by_code[(person.commune_id, person.file_code)].append(person)
        roles = people.filter(role__in={line.role for line, *_ in new})
        for person in self.scope.filter(roles, "unit_path"):
            candidates[(person.commune_id, person.role)].append(person)
        for line, commune, village in new:
            found = by_code.get((commune.pk, line.key), [])
            if len(found) == 1 and _same_person(line, found[0]):
                person = found[0]
                self.keep(_stored_change(line, commune, village, person), line, f"p:{person.pk}")
            elif len(found) == 1:
                message = _(
                    "The code “%(code)s” was given to %(person)s by an earlier "
                    "import, not to %(name)s (born %(year)s): give the new person "
                    "another code, or write number %(number)s if it is that person."
                ) % {
                    "code": line.key,
                    "person": _describe_person(found[0]),
                    "name": line.full_name,
                    "year": line.birth_year or "?",
                    "number": found[0].pk,
                }
                self.problems.append(line.where.problem("person", message))
            elif found:
                message = _(
                    "The code “%(code)s” belongs to %(count)s stored people of "
                    "%(commune)s (%(people)s): write the number of the one you mean."
                ) % {
                    "code": line.key,
                    "count": len(found),
                    "commune": commune.name,
                    "people": "; ".join(_describe_person(p) for p in found),
                }
                self.problems.append(line.where.problem("person", message))
            else:
                namesakes = [
                    p
                    for p in candidates[(commune.pk, line.role)]
                    if fold(p.full_name) == fold(line.full_name) and p.birth_year == line.birth_year
                ]
                change = PersonChange(line, commune, village, None, _fields(line, commune, village))
                if namesakes:
                    change.suggestion = _suggestion(line, village, namesakes)
                self.keep(change, line, f"n:{line.key}")

    def add_assignments(self, lines: list[AssignmentLine]) -> None:
        """Resolve the assignment rows, commune by commune (the file's order within each)."""
        by_commune: dict[int, list[AssignmentLine]] = defaultdict(list)
        for line in lines:
            commune = self.commune(line.where, line.commune_code)
            if commune is not None:
                line.commune_id, line.commune_code = commune.pk, commune.code
                by_commune[commune.pk].append(line)
                self.communes[commune.pk] = commune
        codes = {
            (line.commune_id, line.household_code)
            for line in lines
            if line.commune_id and line.kind == AssignmentKind.MEMBER_HOUSEHOLD
        }
        if codes:
            found = Household.objects.filter(
                commune_id__in={pk for pk, _code in codes}, code__in={code for _pk, code in codes}
            ).select_related("commune")
            for household in self.scope.filter(found, "unit_path"):
                self.households[(household.commune_id, household.code)] = household
        for organisation in Organisation.objects.select_related("province", "district"):
            self.organisations[str(organisation.pk)] = organisation
            for key in {fold(organisation.name), fold(organisation.short_name)} - {""}:
                # A short name two organisations share finds neither.
                shared = self.organisations.get(key, organisation) is not organisation
                self.organisations[key] = None if shared else organisation
        for pk, commune in self.communes.items():
            self.networks[pk] = network_rules_for(commune)
        ordered = [line for rows in by_commune.values() for line in rows]
        for index, line in enumerate(ordered, start=1):
            line.index = index
            problems = self.assignment(line)
            if problems:
                self.problems.extend(problems)
            else:
                self.wanted.append(line)

    def assignment(self, line: AssignmentLine) -> list[Problem]:
        """Look the row's references up and check the rules of the row on its own; return
        its problems (none: the row is resolved)."""
        found: list[Problem] = []
        where, kind = line.where, line.kind
        commune, network = self.communes[line.commune_id], self.networks[line.commune_id]
        person: PersonFacts | None = None
        organisation: Organisation | None = None
        if kind in (TWINNING, AssignmentKind.OFFICE_VILLAGE):
            organisation = self.organisations.get(fold(line.organisation))
            if organisation is None:
                message = _(
                    "Unknown organisation “%(name)s”: write its name as the organisations list has it."
                ) % {"name": line.organisation}
                found.append(where.problem("organisation", message))
            elif not commune.path.startswith(organisation.province.path):
                message = _(
                    "%(organisation)s is an organisation of %(province)s, not of this commune's province."
                ) % {"organisation": organisation.name, "province": organisation.province.name}
                found.append(where.problem("organisation", message))
            else:
                line.responsible, line.label = f"o:{organisation.pk}", organisation.name
        elif (person := self.facts.get(line.person)) is None:
            message = (
                _("Unknown person code “%(code)s”.")
                if line.person.isdigit()
                else _("Unknown person code “%(code)s”: it is not on the people sheet.")
            )
            found.append(where.problem("person", message % {"code": line.person}))
        else:
            line.responsible, line.label = person.key, person.name
            if line.person_name and fold(line.person_name) != fold(person.name):
                found.append(
                    where.problem(
                        "person_name",
                        _("Person %(code)s is %(name)s, not %(written)s: check the code.")
                        % {"code": line.person, "name": person.name, "written": line.person_name},
                    )
                )
        village: Unit | None = None
        target = ""
        if kind == TWINNING:
            line.unit, target = commune, commune.name
        elif kind == AssignmentKind.MEMBER_HOUSEHOLD:
            household = self.households.get((commune.pk, line.household_code))
            if household is None:
                found.append(
                    where.problem(
                        "household_code",
                        _("Unknown household code “%(code)s” in %(commune)s.")
                        % {"code": line.household_code, "commune": commune.name},
                    )
                )
            else:
                line.unit = household
                target = _("household %(code)s (%(head)s)") % {
                    "code": household.code,
                    "head": household.head_name,
                }
        elif (village := self.village(commune, where, line.village, found)) is not None:
            line.unit, target = village, village.name
        if found:
            return found
        line.target, line.record = line.unit.pk, _record(kind, line.label, target)

        def refuse(key: str, message: str) -> None:
            found.append(where.problem(key, f"{line.record}: {message}"))

        if kind == AssignmentKind.OFFICE_VILLAGE and organisation and village:
            if organisation.kind != OrganisationKind.DISTRICT_OFFICE:
                refuse("organisation", _("a village is assigned to a district office."))
            elif organisation.district_id is not None and not village.path.startswith(
                organisation.district.path
            ):
                refuse("village", _("the village lies outside the office's district."))
        if kind == AssignmentKind.COMMITTEE_VILLAGE and person is not None:
            if person.role != PersonRole.COMMITTEE_MEMBER:
                refuse("person", _("a village is assigned to a commune Party committee member."))
            elif network.committee_member_village_in_commune and person.commune_id != commune.pk:
                refuse(
                    "village",
                    _("the program requires a committee member's village to lie in their commune."),
                )
        if kind == AssignmentKind.MEMBER_HOUSEHOLD and person is not None:
            if person.role != PersonRole.PARTY_MEMBER:
                refuse("person", _("a household is assigned to a Party member."))
            elif network.party_member_household_in_commune and person.commune_id != commune.pk:
                refuse(
                    "household_code",
                    _("the program requires a Party member's household to lie in their commune."),
                )
            line.cap = network.max_households_per_party_member
        line.exclusive = kind == AssignmentKind.MEMBER_HOUSEHOLD or (
            kind == TWINNING and network.one_twinning_unit_per_commune
        )
        return found


def resolve(
    *,
    assignments: list[AssignmentLine],
    people: list[PersonLine],
    scope: UnitScope,
    default_commune: Unit | None,
    only_commune: Unit | None,
) -> Resolved:
    """Look up every reference of the file and check the rules of each row on its own."""
    resolved = Resolved(scope, default_commune, only_commune)
    numbers = [line.person for line in assignments] + [line.key for line in people]
    stored = {
        person.pk: person
        for person in scope.filter(
            Person.objects.filter(pk__in={int(key) for key in numbers if key.isdigit()}),
            "unit_path",
        )
    }
    for person in stored.values():
        resolved.facts[str(person.pk)] = PersonFacts(
            f"p:{person.pk}", person.full_name, person.role, person.commune_id
        )
    resolved.add_people(people, stored)
    resolved.add_assignments(assignments)
    return resolved


def held_rows(wanted: list[AssignmentLine]) -> list[Held]:
    """Return the stored rows the plan must see: the units' assignments, the members' loads."""
    communes = {w.target for w in wanted if w.kind == TWINNING}
    villages = {
        w.target
        for w in wanted
        if w.kind in (AssignmentKind.OFFICE_VILLAGE, AssignmentKind.COMMITTEE_VILLAGE)
    }
    households = {w.target for w in wanted if w.kind == AssignmentKind.MEMBER_HOUSEHOLD}
    members = {
        int(w.responsible[2:])
        for w in wanted
        if w.kind == AssignmentKind.MEMBER_HOUSEHOLD and w.responsible.startswith("p:")
    }
    held = [
        Held(
            kind=TWINNING,
            target=twinning.commune_id,
            responsible=f"o:{twinning.organisation_id}",
            label=twinning.organisation.name,
            start=twinning.start_date,
            end=twinning.end_date,
            commune_id=twinning.commune_id,
            pk=twinning.pk,
            decision=twinning.decision,
            decision_date=twinning.decision_date,
        )
        for twinning in Twinning.objects.filter(commune_id__in=communes).select_related(
            "organisation"
        )
    ]
    if not (villages or households or members):
        return held
    below = (
        Q(village_id__in=villages, household__isnull=True)
        | Q(household_id__in=households)
        | Q(kind=AssignmentKind.MEMBER_HOUSEHOLD, person_id__in=members)
    )
    for row in Assignment.objects.filter(below).select_related("organisation", "person"):
        held.append(
            Held(
                kind=row.kind,
                target=row.household_id or row.village_id,
                responsible=f"o:{row.organisation_id}"
                if row.organisation_id
                else f"p:{row.person_id}",
                label=str(row.responsible),
                start=row.start_date,
                end=row.end_date,
                commune_id=row.commune_id,
                pk=row.pk,
                decision=row.decision_number,
                decision_date=row.decision_date,
            )
        )
    return held
