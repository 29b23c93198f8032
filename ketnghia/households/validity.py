"""What a household's and a person's cells may say, as data: the words for sex and relation
to the head, the ethnic groups by name, alias or code. Used by every import that reads
people (the census's members sheet, the network's people), so each reads them alike."""

from __future__ import annotations

import re
from typing import Any

from ketnghia.core.text import fold
from ketnghia.households.ethnicities import ETHNIC_GROUPS
from ketnghia.households.models import Relation, Sex
from ketnghia.imports.values import cell_str

SEX_WORDS = {"nam": Sex.MALE, "male": Sex.MALE, "m": Sex.MALE, "nu": Sex.FEMALE}
SEX_WORDS |= {"female": Sex.FEMALE, "f": Sex.FEMALE}
# What the templates write (and their drop-down lists offer).
SEX_LABELS: dict[str, str] = {Sex.MALE: "nam", Sex.FEMALE: "nữ"}
RELATION_WORDS = {
    "chu ho": Relation.HEAD,
    "head": Relation.HEAD,
    "vo": Relation.SPOUSE,
    "chong": Relation.SPOUSE,
    "vo/chong": Relation.SPOUSE,
    "spouse": Relation.SPOUSE,
    "con": Relation.CHILD,
    "con trai": Relation.CHILD,
    "con gai": Relation.CHILD,
    "con dau": Relation.CHILD,
    "con re": Relation.CHILD,
    "child": Relation.CHILD,
    "bo": Relation.PARENT,
    "me": Relation.PARENT,
    "cha": Relation.PARENT,
    "bo/me": Relation.PARENT,
    "cha/me": Relation.PARENT,
    "parent": Relation.PARENT,
    "chau": Relation.GRANDCHILD,
    "chau noi": Relation.GRANDCHILD,
    "chau ngoai": Relation.GRANDCHILD,
    "grandchild": Relation.GRANDCHILD,
    "anh": Relation.SIBLING,
    "chi": Relation.SIBLING,
    "em": Relation.SIBLING,
    "anh/chi/em": Relation.SIBLING,
    "sibling": Relation.SIBLING,
    "khac": Relation.OTHER,
    "other": Relation.OTHER,
}
_LETTERS = re.compile(r"[^a-z]")
# Spellings of ethnic groups seen beside the official ones (compared letters only).
_ETHNIC_ALIASES = {"mong": "08", "hmong": "08", "jrai": "10", "bahnar": "13", "khmer": "05"}


def _ethnic_key(text: str) -> str:
    return _LETTERS.sub("", fold(text))


_ETHNICITIES = {_ethnic_key(name): code for code, name in ETHNIC_GROUPS} | _ETHNIC_ALIASES
_ETHNIC_CODES = {code for code, _name in ETHNIC_GROUPS}


def ethnicity_code(value: Any) -> str | None:
    """Return the two-digit code of the ethnic group a cell names (name, alias or code)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        code = str(int(value)).zfill(2)
        return code if code in _ETHNIC_CODES else None
    text = cell_str(value)
    if text.isdigit():
        return text.zfill(2) if text.zfill(2) in _ETHNIC_CODES else None
    return _ETHNICITIES.get(_ethnic_key(text))
