"""The .xlsx a commune's officer fills to import its assignments, generated per commune.

Sheets: instructions; "Phân công", the assignments in force today pre-filled (the commune's
twinning unit(s), its villages' district offices and committee members, the Party member of
each household), with drop-down lists for the kind and the village; "Người phụ trách", the
commune's committee and Party members (their number, name, sex, birth year, ethnicity,
phone, role, village, active period), for new people too; and a hidden sheet of lists. The
workbook names its commune in its document properties (`ketnghia.commune`, the census
import's mark), so a file made for another commune is refused naming both. Phones pass the
personal-data door: masked for a user who may not see them, and a masked phone imported
back keeps the stored number. Every text cell goes through `core.outputs`. Imported back
unchanged, the template changes nothing (a round-trip test holds the two together).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ketnghia.core.gate import UnitScope
from ketnghia.core.personal_data import Disclosure, Kind
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.ethnicities import ETHNIC_GROUP_NAMES
from ketnghia.households.validity import SEX_LABELS
from ketnghia.imports.template import Col, Sheet, col, template_workbook
from ketnghia.twinning import selectors
from ketnghia.twinning.assignment_import.read import (
    ASSIGNMENT_FIELDS,
    ETHNICITY,
    KIND,
    KIND_LABELS,
    PEOPLE_FIELDS,
    ROLE,
    ROLE_LABELS,
    SEX,
    TWINNING,
    VILLAGE,
)

ASSIGNMENTS_SHEET = "Phân công"
PEOPLE_SHEET = "Người phụ trách"
HEADER_ROW = 3
SPARE_ROWS = 300
# The reference column the template adds for reading (the import does not read it).
HEAD_HEADER = "Chủ hộ (để đối chiếu)"


def title_text(commune: Unit) -> str:
    """Return the title line of the template (names the commune and its code)."""
    return f"PHÂN CÔNG PHỤ TRÁCH — {commune.name} (mã {commune.code})"


def assignments_template(
    *, commune: Unit, scope: UnitScope, disclosure: Disclosure, on: dt.date | None = None
) -> bytes:
    """Return the .xlsx assignments template of `commune`: what is in force on `on` (today)."""
    on = on or timezone.localdate()
    villages = list(Unit.objects.filter(parent=commune, level=UnitLevel.VILLAGE).order_by("code"))
    # A village is named by its name, or by its code when two share the name.
    names = Counter(village.name for village in villages)
    village_name = {v.pk: v.name if names[v.name] == 1 else v.code for v in villages}
    rows: list[list[Any]] = [
        [
            KIND_LABELS[TWINNING],
            commune.code,
            *(None, None, None),
            twinning.organisation.name,
            *(None, None),
            twinning.start_date,
            twinning.end_date,
            twinning.decision or None,
            twinning.decision_date,
        ]
        for twinning in selectors.twinning_history(scope=scope, commune=commune).filter(
            selectors.on_date(on)
        )
    ]
    current = selectors.assignment_list_for(scope=scope, commune=commune, on=on).order_by(
        "kind", "unit_path", "start_date", "pk"
    )
    for assignment in sorted(current, key=lambda a: list(KIND_LABELS).index(a.kind)):
        household = assignment.household
        rows.append(
            [
                KIND_LABELS[assignment.kind],
                commune.code,
                village_name.get(assignment.village_id) if household is None else None,
                household.code if household is not None else None,
                household.head_name if household is not None else None,
                assignment.organisation.name if assignment.organisation_id else None,
                assignment.person_id,
                assignment.person.full_name if assignment.person_id else None,
                assignment.start_date,
                assignment.end_date,
                assignment.decision_number or None,
                assignment.decision_date,
            ]
        )
    choices = {KIND: list(KIND_LABELS.values()), VILLAGE: list(village_name.values())}
    columns = [col(field, choices=choices.get(field, ())) for field in ASSIGNMENT_FIELDS]
    columns.insert(4, Col(HEAD_HEADER))
    note = _("Pre-filled with the assignments in force on %(day)s.") % {
        "day": on.strftime("%d/%m/%Y")
    }
    assignments = Sheet(
        ASSIGNMENTS_SHEET,
        columns,
        rows,
        heading=(title_text(commune), note),
        header_row=HEADER_ROW,
        spare=SPARE_ROWS,
        freeze=1,
    )
    people = _people(commune, scope, disclosure, village_name)
    return template_workbook(
        [assignments, people],
        instructions=_instructions(commune),
        mark={"commune": commune.code},
        instructions_first=True,
    )


def _people(
    commune: Unit,
    scope: UnitScope,
    disclosure: Disclosure,
    village_name: dict[int, str],
) -> Sheet:
    """Return the people sheet: the commune's committee and Party members, phones through the
    door."""
    people = selectors.person_list_for(scope=scope, commune=commune).filter(role__in=ROLE_LABELS)
    rows = [
        [
            person.pk,
            person.full_name,
            SEX_LABELS.get(person.sex, person.sex),
            person.birth_year,
            ETHNIC_GROUP_NAMES.get(person.ethnicity, person.ethnicity),
            disclosure.show(person.phone, kind=Kind.PHONE, path=person.unit_path, subject=person.pk)
            or None,
            ROLE_LABELS.get(person.role, person.role),
            commune.code,
            village_name.get(person.village_id) if person.village_id else None,
            person.active_from,
            person.active_to,
        ]
        for person in people.order_by("role", "full_name", "pk")
    ]
    choices = {
        SEX: list(SEX_LABELS.values()),
        ETHNICITY: list(ETHNIC_GROUP_NAMES.values()),
        ROLE: list(ROLE_LABELS.values()),
        VILLAGE: list(village_name.values()),
    }
    columns = [col(field, choices=choices.get(field, ())) for field in PEOPLE_FIELDS]
    return Sheet(PEOPLE_SHEET, columns, rows, spare=SPARE_ROWS, freeze=2)


def _instructions(commune: Unit) -> list[str]:
    return [
        _("Assignments of %(commune)s (code %(code)s)")
        % {"commune": commune.name, "code": commune.code},
        _("This file is for this commune only: an import for another commune is refused."),
        "",
        _(
            "Sheet “%(sheet)s”: one row per assignment. Kind: choose from the list. A twinning "
            "names the organisation; a district office names the organisation and the village; "
            "a committee member names the person's number and the village; a Party member names "
            "the person's number and the household code."
        )
        % {"sheet": ASSIGNMENTS_SHEET},
        _(
            "To reassign a household (or the commune's twinning unit), add a row with the new "
            "person (or organisation) and the day the reassignment starts: the current one is "
            "closed the day before. To end an assignment, write its end date on its row."
        ),
        _(
            "An empty end date never erases a stored one; rows not in the file stay as they are. "
            "The column “%(head)s” is for reading only."
        )
        % {"head": HEAD_HEADER},
        _(
            "Sheet “%(sheet)s”: the committee and Party members. A new person gets a code of "
            "your own (for example M1), used in the “Mã người phụ trách” column of the "
            "assignments; a masked phone number keeps the stored one."
        )
        % {"sheet": PEOPLE_SHEET},
        _("Dates as dd/mm/yyyy."),
        _(
            "Upload the file on the commune's network page, or run: ketnghia import-assignments "
            "FILE --dry-run"
        ),
    ]
