"""Cell values and lookups every import shares (no ORM, no I/O): text, codes, whole numbers,
the words a choice may be written as, and a commune's villages found by code or name."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _

from ketnghia.core.text import fold, parse_amount
from ketnghia.imports.readers import CellError, cell_text

if TYPE_CHECKING:
    from django.db.models import TextChoices

# Kind words before a village's name: "Làng Kon Stiu" is found by "Kon Stiu" too.
_VILLAGE_KIND_WORDS = ("to dan pho ", "tdp ", "thon ", "lang ", "ban ", "buon ", "plei ", "to ")


@dataclass(frozen=True)
class Village:
    id: int
    code: str
    name: str
    path: str
    area: str


class VillageLookup:
    """Find a commune's village by code, by name, or by name without its kind word."""

    def __init__(self, villages: list[Village]) -> None:
        self.villages = villages
        self._by_key: dict[str, Village | None] = {}
        for village in villages:
            self._by_key[fold(village.code)] = village
        # Names after codes; a name two villages share is kept as ambiguous (None).
        for village in villages:
            for key in {fold(village.name), _without_kind(fold(village.name))}:
                if key in self._by_key and self._by_key[key] is not village:
                    self._by_key[key] = None
                else:
                    self._by_key.setdefault(key, village)

    def __bool__(self) -> bool:
        return bool(self.villages)

    def find(self, text: str) -> Village | str | None:
        """Return the village `text` names, None if none does, "ambiguous" if several do."""
        key = fold(text)
        for candidate in (key, _without_kind(key)):
            if candidate in self._by_key:
                found = self._by_key[candidate]
                return "ambiguous" if found is None else found
        return None


def choice_words(choices: Iterable[TextChoices]) -> dict[str, str]:
    """Return every way a choice may be written → its code: the code (also with spaces for
    its underscores) and its label in Vietnamese and English, each as written and folded."""
    words: dict[str, str] = {}
    for choice in choices:
        spellings = [choice.value, choice.value.replace("_", " ")]
        for language in ("vi", "en"):
            with translation.override(language):
                spellings.append(str(choice.label))
        for spelling in spellings:
            words[spelling] = words[fold(spelling)] = choice.value
    return words


def _without_kind(key: str) -> str:
    for word in _VILLAGE_KIND_WORDS:
        if key.startswith(word):
            return key[len(word) :].strip()
    return key


def cell_str(value: Any) -> str:
    """Return a cell as trimmed NFC text ("" when blank); the fast path is plain ASCII text."""
    if type(value) is str:
        if value.isascii():
            return value.strip()
        return unicodedata.normalize("NFC", value).strip()
    if value is None:
        return ""
    return cell_text(value)


def code(value: Any) -> str:
    text = cell_str(value)
    # Excel's leading apostrophe forces a cell to text ("'0012"); it is not part of the code.
    return text.lstrip("'").strip() if text.startswith("'") else text


def whole_number(value: Any) -> int | None:
    """Return a cell as a whole number, None when blank; CellError otherwise."""
    if type(value) is int:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_str(value)
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    try:
        number = parse_amount(text)
    except ValueError:
        number = None
    if number is None or number != number.to_integral_value():
        raise CellError(_("Expected a whole number, found “%(value)s”.") % {"value": text})
    return int(number)
