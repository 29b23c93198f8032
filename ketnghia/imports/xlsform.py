"""XLSForm building blocks every form the project hands out uses (ODK Central, KoBoToolbox).

Labels in each form language (Vietnamese first, English beside it: `label::English (en)`),
taken from the project's message catalogue; survey and choice rows; a sheet written inert.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from ketnghia.core.outputs import xlsx_append

# Languages of the form: ODK wants "Name (code)" so Collect and Enketo can pick one.
LANGUAGES = (("vi", "Tiếng Việt (vi)"), ("en", "English (en)"))
DEFAULT_LANGUAGE = LANGUAGES[0][1]

SURVEY_COLUMNS = (
    "type",
    "name",
    *(f"label::{name}" for _code, name in LANGUAGES),
    *(f"hint::{name}" for _code, name in LANGUAGES),
    "required",
    "constraint",
    *(f"constraint_message::{name}" for _code, name in LANGUAGES),
    "default",
    "calculation",
    "appearance",
)
CHOICE_COLUMNS = ("list_name", "name", *(f"label::{name}" for _code, name in LANGUAGES))


@contextmanager
def language(code: str) -> Iterator[None]:
    with translation.override(code):
        yield


def both(message: str, **params: Any) -> dict[str, str]:
    """Return `message` (an English msgid) in each form language, keyed by the language name.

    Callers mark the message with `gettext_noop`, so `makemessages` finds it. A bilingual
    parameter (with `vi` and `en`, such as a standard's indicator name) is given in the same
    language.
    """
    texts = {}
    for code, name in LANGUAGES:
        with language(code):
            values = {
                key: (value.en or value.vi if code == "en" else value.vi)
                if hasattr(value, "vi") and hasattr(value, "en")
                else value
                for key, value in params.items()
            }
            text = _(message)
            texts[name] = text % values if params else text
    return texts


def row(type_: str, name: str = "", label: dict[str, str] | None = None, **extra: Any) -> dict:
    """Return a survey row: type, name, labels per language, hints and the other columns."""
    found: dict[str, Any] = {"type": type_, "name": name}
    for lang, text in (label or {}).items():
        found[f"label::{lang}"] = text
    for key in ("hint", "constraint_message"):
        for lang, text in (extra.pop(key, None) or {}).items():
            found[f"{key}::{lang}"] = text
    found.update(extra)
    return found


def choice(list_name: str, name: str, label: dict[str, str]) -> dict[str, str]:
    """Return a choices row with its label in each language."""
    return {"list_name": list_name, "name": name} | {
        f"label::{lang}": text for lang, text in label.items()
    }


def sheet(workbook: Workbook, title: str, columns: tuple[str, ...], rows: list[dict]) -> None:
    """Write `rows` as a sheet of `columns` (every text cell inert)."""
    target = workbook.create_sheet(title)
    xlsx_append(target, list(columns))
    for values in rows:
        # Names come from the registry: written inert, as every text cell is.
        xlsx_append(target, [values.get(column, "") or None for column in columns])
