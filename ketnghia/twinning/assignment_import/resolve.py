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
from ketnghia.twinning import rules
from ketnghia.twinning.assignment_import import columns as cols
from ketnghia.twinning.assignment_import.plan import Held, Wanted
from ketnghia.twinning.assignment_import.read import AssignmentLine, PersonLine
from ketnghia.twinning.models import (
    Assignment,
    AssignmentKind,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    Twinning,
)
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
    """A people-sheet row: a new person (`person` None) or a stored one and what changes."""

    line: PersonLine
    commune: Unit
    village: Unit | None
    person: Person | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    # For a new person: the stored people of the same name, birth year and role in the
    # commune, as a message located at the row (the preview shows it; never merged).
    suggestion: str = ""


@dataclass
class Resolved:
    wanted: list[Wanted] = field(default_factory=list)
    people: list[PersonChange] = field(default_factory=list)
    communes: dict[int, Unit] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def commune_by_code(code: str, scope: UnitScope) -> Unit | None:
    """Return the commune of national code `code` (a code that lost its leading zeros is
    padded) if `scope` holds it; None otherwise, as for a missing one."""
    variants = {code, code.zfill(5)} if code.isdigit() else {code}
    unit = Unit.objects.filter(code__in=variants, level=UnitLevel.COMMUNE).first()
    return unit if unit is not None and scope.contains_path(unit.path) else None


class _Units:
    """The communes, villages and households of the file, looked up once, inside the scope."""

    def __init__(self, scope: UnitScope) -> None:
        self.scope = scope
        self.communes: dict[str, Unit | None] = {}
        self.villages: dict[int, VillageLookup] = {}
        self.village_units: dict[int, Unit] = {}

    def commune(self, code: str) -> Unit | None:
        if code not in self.communes:
            self.communes[code] = commune_by_code(code, self.scope)
        return self.communes[code]

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
                cols.VILLAGE,
                _("Unknown village “%(village)s” in %(commune)s.")
                % {"village": text, "commune": commune.name},
            )
        )
        return None


def _organisation_finder(organisations: list[Organisation]) -> dict[str, Organisation | None]:
    by_key: dict[str, Organisation | None] = {}
    for organisation in organisations:
        by_key[str(organisation.pk)] = organisation
        for name in (organisation.name, organisation.short_name):
            key = " ".join(fold(name).split())
            if not key:
                continue
            # A short name two organisations share finds neither.
            by_key[key] = (
                None if by_key.get(key, organisation) is not organisation else organisation
            )
    return by_key


def _record(kind: str, responsible: str, target: str) -> str:
    if kind == cols.TWINNING:
        return _("%(organisation)s ↔ %(commune)s") % {
            "organisation": responsible,
            "commune": target,
        }
    return _("%(kind)s %(responsible)s → %(target)s") % {
        "kind": AssignmentKind(kind).label,
        "responsible": responsible,
        "target": target,
    }


def _folded_name(name: str) -> str:
    return " ".join(fold(name).split())


def _same_person(line: PersonLine, person: Person) -> bool:
    """Whether a row found by its code still names the person the code was given to."""
    if _folded_name(line.full_name) != _folded_name(person.full_name):
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


def _suggestion(line: PersonLine, village: Unit | None, namesakes: list[Person]) -> Problem:
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
    return line.where.problem(cols.PERSON, message)


def _stored_change(
    line: PersonLine,
    commune: Unit,
    village: Unit | None,
    person: Person,
    problems: list[Problem],
) -> PersonChange | None:
    """Return what a row found by identity (number or code) changes of a stored person."""
    change = PersonChange(line, commune, village, person)
    phone = line.phone
    if phone and is_masked_form(phone, kind=Kind.PHONE):
        if masked(person.phone, kind=Kind.PHONE) != phone:
            problems.append(
                line.where.problem(
                    cols.PHONE,
                    _(
                        "The phone number “%(phone)s” is masked and matches nothing "
                        "stored for %(name)s: write it in full or leave it as it was."
                    )
                    % {"phone": phone, "name": person.full_name},
                )
            )
            return None
        phone = person.phone
    wanted = {
        "full_name": line.full_name,
        "sex": line.sex,
        "birth_year": line.birth_year,
        "ethnicity": line.ethnicity,
        "phone": phone,
        "role": line.role,
        "commune_id": commune.pk,
        "village_id": village.pk if village else None,
        "active_from": line.active_from,
        "active_to": line.active_to,
    }
    change.changes = {
        name: value for name, value in wanted.items() if getattr(person, name) != value
    }
    return change


def resolve(
    *,
    assignments: list[AssignmentLine],
    people: list[PersonLine],
    scope: UnitScope,
    default_commune: Unit | None,
    only_commune: Unit | None,
) -> Resolved:
    """Look up every reference of the file and check the rules of each row on its own."""
    resolved = Resolved()
    units = _Units(scope)
    problems = resolved.problems

    def commune_of(where: Any, code: str) -> Unit | None:
        if not code:
            if default_commune is None:
                problems.append(
                    where.problem(
                        cols.COMMUNE_CODE,
                        _(
                            "The file does not say its commune: write the commune code in "
                            "the column “Mã xã”, or use the commune's template."
                        ),
                    )
                )
            return default_commune
        commune = units.commune(code)
        if commune is None:
            problems.append(
                where.problem(
                    cols.COMMUNE_CODE, _("Unknown commune code “%(code)s”.") % {"code": code}
                )
            )
            return None
        if only_commune is not None and commune.pk != only_commune.pk:
            problems.append(
                where.problem(
                    cols.COMMUNE_CODE,
                    _(
                        "This row is of %(other)s (code %(other_code)s), not of %(commune)s "
                        "(code %(code)s): import it from that commune's page."
                    )
                    % {
                        "other": commune.name,
                        "other_code": commune.code,
                        "commune": only_commune.name,
                        "code": only_commune.code,
                    },
                )
            )
            return None
        return commune

    # --- people: stored ones by number, new ones by the people sheet's own codes ---------
    stored_ids = {
        int(key)
        for key in [line.person for line in assignments] + [line.key for line in people]
        if key.isdigit()
    }
    stored_people = {
        person.pk: person
        for person in scope.filter(Person.objects.filter(pk__in=stored_ids), "unit_path")
    }
    facts: dict[str, PersonFacts] = {}
    for person in stored_people.values():
        facts[str(person.pk)] = PersonFacts(
            f"p:{person.pk}", person.full_name, person.role, person.commune_id
        )

    def keep_stored(line: PersonLine, commune: Unit, village: Unit | None, person: Person) -> None:
        change = _stored_change(line, commune, village, person, problems)
        if change is not None:
            resolved.people.append(change)
            facts[line.key] = PersonFacts(f"p:{person.pk}", line.full_name, line.role, commune.pk)

    sheet_rows: dict[str, PersonLine] = {}
    candidates: dict[tuple[int, str], list[Person]] = defaultdict(list)
    new_lines: list[tuple[PersonLine, Unit, Unit | None]] = []
    for line in people:
        if line.key in sheet_rows:
            problems.append(
                line.where.problem(
                    cols.PERSON,
                    _("The person code “%(code)s” is used twice: also on row %(row)s.")
                    % {"code": line.key, "row": sheet_rows[line.key].where.number},
                )
            )
            continue
        sheet_rows[line.key] = line
        commune = commune_of(line.where, line.commune_code)
        if commune is None:
            continue
        village = None
        if line.village:
            village = units.village(commune, line.where, line.village, problems)
            if village is None:
                continue
        if line.key.isdigit():
            person = stored_people.get(int(line.key))
            if person is None:
                problems.append(
                    line.where.problem(
                        cols.PERSON, _("Unknown person code “%(code)s”.") % {"code": line.key}
                    )
                )
                continue
            keep_stored(line, commune, village, person)
        else:
            new_lines.append((line, commune, village))
    # A code of the file's own ("M1") is the person's identity once imported: the same file
    # imported again finds them by it. Name and birth year never merge a row into a stored
    # person (namesakes born the same year are common in a commune): they only suggest, in
    # the preview, the number to write if the row means a stored person.
    by_code: dict[tuple[int, str], list[Person]] = defaultdict(list)
    if new_lines:
        communes = {commune.pk for _line, commune, _village in new_lines}
        for person in scope.filter(
            Person.objects.filter(
                commune_id__in=communes, file_code__in={line.key for line, *_ in new_lines}
            ).select_related("village"),
            "unit_path",
        ):
            by_code[(person.commune_id, person.file_code)].append(person)
        stored = scope.filter(
            Person.objects.filter(
                commune_id__in=communes,
                role__in={line.role for line, *_ in new_lines},
            ).select_related("village"),
            "unit_path",
        )
        for person in stored:
            candidates[(person.commune_id, person.role)].append(person)
    for line, commune, village in new_lines:
        coded = by_code.get((commune.pk, line.key), [])
        if len(coded) == 1:
            person = coded[0]
            if not _same_person(line, person):
                problems.append(
                    line.where.problem(
                        cols.PERSON,
                        _(
                            "The code “%(code)s” was given to %(person)s by an earlier "
                            "import, not to %(name)s (born %(year)s): give the new person "
                            "another code, or write number %(number)s if it is that person."
                        )
                        % {
                            "code": line.key,
                            "person": _describe_person(person),
                            "name": line.full_name,
                            "year": line.birth_year or "?",
                            "number": person.pk,
                        },
                    )
                )
                continue
            keep_stored(line, commune, village, person)
            continue
        if coded:
            problems.append(
                line.where.problem(
                    cols.PERSON,
                    _(
                        "The code “%(code)s” belongs to %(count)s stored people of "
                        "%(commune)s (%(people)s): write the number of the one you mean."
                    )
                    % {
                        "code": line.key,
                        "count": len(coded),
                        "commune": commune.name,
                        "people": "; ".join(_describe_person(p) for p in coded),
                    },
                )
            )
            continue
        change = PersonChange(line, commune, village)
        namesakes = [
            p
            for p in candidates[(commune.pk, line.role)]
            if _folded_name(p.full_name) == _folded_name(line.full_name)
            and p.birth_year == line.birth_year
        ]
        if namesakes:
            change.suggestion = str(_suggestion(line, village, namesakes))
        resolved.people.append(change)
        facts[line.key] = PersonFacts(f"n:{line.key}", line.full_name, line.role, commune.pk)

    # --- the assignments ----------------------------------------------------------------
    organisations = _organisation_finder(
        list(Organisation.objects.select_related("province", "district"))
    )
    lines_by_commune: dict[int, list[tuple[AssignmentLine, Unit]]] = defaultdict(list)
    for line in assignments:
        commune = commune_of(line.where, line.commune_code)
        if commune is not None:
            lines_by_commune[commune.pk].append((line, commune))
            resolved.communes[commune.pk] = commune
    network = {pk: network_rules_for(commune) for pk, commune in resolved.communes.items()}
    household_codes = {
        (commune.pk, line.household_code)
        for rows in lines_by_commune.values()
        for line, commune in rows
        if line.kind == AssignmentKind.MEMBER_HOUSEHOLD
    }
    households: dict[tuple[int, str], Household] = {}
    if household_codes:
        found = scope.filter(
            Household.objects.filter(
                commune_id__in={pk for pk, _code in household_codes},
                code__in={code for _pk, code in household_codes},
            ).select_related("commune"),
            "unit_path",
        )
        households = {(h.commune_id, h.code): h for h in found}

    index = 0
    for rows in lines_by_commune.values():
        for line, commune in rows:
            index += 1
            wanted = _wanted(
                line,
                commune,
                index=index,
                units=units,
                organisations=organisations,
                people=facts,
                households=households,
                network=network[commune.pk],
                problems=problems,
            )
            if wanted is not None:
                resolved.wanted.append(wanted)
    return resolved


def _wanted(
    line: AssignmentLine,
    commune: Unit,
    *,
    index: int,
    units: _Units,
    organisations: dict[str, Organisation | None],
    people: dict[str, PersonFacts],
    households: dict[tuple[int, str], Household],
    network: rules.NetworkRules,
    problems: list[Problem],
) -> Wanted | None:
    """Return the row with its references (None, and its problems listed, when one fails)."""
    found: list[Problem] = []
    where = line.where
    kind = line.kind
    responsible = label = ""
    person: PersonFacts | None = None
    organisation: Organisation | None = None
    if kind in (cols.TWINNING, AssignmentKind.OFFICE_VILLAGE):
        organisation = organisations.get(" ".join(fold(line.organisation).split())) or (
            organisations.get(line.organisation) if line.organisation.isdigit() else None
        )
        if organisation is None:
            found.append(
                where.problem(
                    cols.ORGANISATION,
                    _(
                        "Unknown organisation “%(name)s”: write its name as the organisations list has it."
                    )
                    % {"name": line.organisation},
                )
            )
        elif not commune.path.startswith(organisation.province.path):
            found.append(
                where.problem(
                    cols.ORGANISATION,
                    _(
                        "%(organisation)s is an organisation of %(province)s, not of this commune's province."
                    )
                    % {"organisation": organisation.name, "province": organisation.province.name},
                )
            )
            organisation = None
        else:
            responsible, label = f"o:{organisation.pk}", organisation.name
    else:
        person = people.get(line.person)
        if person is None:
            message = (
                _("Unknown person code “%(code)s”.")
                if line.person.isdigit()
                else _("Unknown person code “%(code)s”: it is not on the people sheet.")
            )
            found.append(where.problem(cols.PERSON, message % {"code": line.person}))
        else:
            responsible, label = person.key, person.name
            if line.person_name and fold(" ".join(line.person_name.split())) != fold(person.name):
                found.append(
                    where.problem(
                        cols.PERSON_NAME,
                        _("Person %(code)s is %(name)s, not %(written)s: check the code.")
                        % {"code": line.person, "name": person.name, "written": line.person_name},
                    )
                )
    target_label = ""
    target = 0
    village: Unit | None = None
    if kind == cols.TWINNING:
        target, target_label = commune.pk, commune.name
    elif kind == AssignmentKind.MEMBER_HOUSEHOLD:
        household = households.get((commune.pk, line.household_code))
        if household is None:
            found.append(
                where.problem(
                    cols.HOUSEHOLD_CODE,
                    _("Unknown household code “%(code)s” in %(commune)s.")
                    % {"code": line.household_code, "commune": commune.name},
                )
            )
        else:
            target = household.pk
            target_label = _("household %(code)s (%(head)s)") % {
                "code": household.code,
                "head": household.head_name,
            }
    else:
        village = units.village(commune, where, line.village, found)
        if village is not None:
            target, target_label = village.pk, village.name
    if found:
        problems.extend(found)
        return None
    record = _record(kind, label, target_label)

    def refuse(key: str, message: str) -> None:
        found.append(where.problem(key, f"{record}: {message}"))

    if kind == AssignmentKind.OFFICE_VILLAGE and organisation is not None and village is not None:
        if organisation.kind != OrganisationKind.DISTRICT_OFFICE:
            refuse(cols.ORGANISATION, _("a village is assigned to a district office."))
        elif organisation.district_id is not None and not village.path.startswith(
            organisation.district.path
        ):
            refuse(cols.VILLAGE, _("the village lies outside the office's district."))
    if kind == AssignmentKind.COMMITTEE_VILLAGE and person is not None:
        if person.role != PersonRole.COMMITTEE_MEMBER:
            refuse(cols.PERSON, _("a village is assigned to a commune Party committee member."))
        elif network.committee_member_village_in_commune and person.commune_id != commune.pk:
            refuse(
                cols.VILLAGE,
                _("the program requires a committee member's village to lie in their commune."),
            )
    if kind == AssignmentKind.MEMBER_HOUSEHOLD and person is not None:
        if person.role != PersonRole.PARTY_MEMBER:
            refuse(cols.PERSON, _("a household is assigned to a Party member."))
        elif network.party_member_household_in_commune and person.commune_id != commune.pk:
            refuse(
                cols.HOUSEHOLD_CODE,
                _("the program requires a Party member's household to lie in their commune."),
            )
    if found:
        problems.extend(found)
        return None
    return Wanted(
        index=index,
        where=where,
        kind=kind,
        commune_id=commune.pk,
        commune_code=commune.code,
        target=target,
        record=record,
        responsible=responsible,
        label=label,
        start=line.start,
        end=line.end,
        decision=line.decision,
        decision_date=line.decision_date,
        exclusive=(kind == AssignmentKind.MEMBER_HOUSEHOLD)
        or (kind == cols.TWINNING and network.one_twinning_unit_per_commune),
        cap=network.max_households_per_party_member
        if kind == AssignmentKind.MEMBER_HOUSEHOLD
        else None,
    )


def held_rows(wanted: list[Wanted]) -> list[Held]:
    """Return the stored rows the plan must see: the units' assignments, the members' loads."""
    communes = {w.target for w in wanted if w.kind == cols.TWINNING}
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
    held: list[Held] = []
    for twinning in Twinning.objects.filter(commune_id__in=communes).select_related("organisation"):
        held.append(
            Held(
                key=f"t:{twinning.pk}",
                kind=cols.TWINNING,
                target=twinning.commune_id,
                responsible=f"o:{twinning.organisation_id}",
                label=twinning.organisation.name,
                start=twinning.start_date,
                end=twinning.end_date,
                commune_id=twinning.commune_id,
                pk=twinning.pk,
                decision=twinning.decision,
                decision_date=twinning.decision_date,
                stored_end=twinning.end_date,
            )
        )
    below = (
        Q(village_id__in=villages, household__isnull=True)
        | Q(household_id__in=households)
        | Q(kind=AssignmentKind.MEMBER_HOUSEHOLD, person_id__in=members)
    )
    if villages or households or members:
        for row in Assignment.objects.filter(below).select_related("organisation", "person"):
            responsible = (
                f"o:{row.organisation_id}" if row.organisation_id else f"p:{row.person_id}"
            )
            held.append(
                Held(
                    key=f"a:{row.pk}",
                    kind=row.kind,
                    target=row.household_id or row.village_id,
                    responsible=responsible,
                    label=str(row.responsible),
                    start=row.start_date,
                    end=row.end_date,
                    commune_id=row.commune_id,
                    pk=row.pk,
                    decision=row.decision_number,
                    decision_date=row.decision_date,
                    stored_end=row.end_date,
                )
            )
    return held
