"""The one builder of the XLSForms the project hands out (ODK Central, KoBoToolbox).

An importer declares its questions and choices; `xlsform` writes the workbook the same way
for every form: the survey (the interview's start and end first), the choices and the
settings (title, id, a version that changes whenever the content does, Vietnamese as the
default language), every column a row uses, every text cell inert.

Labels, hints and constraint messages are given as English msgids (marked with
`gettext_noop`, so `makemessages` finds them) and written in each form language from the
project's catalogue: Vietnamese first, English beside it (`label::English (en)`). A
question may be declared from the import spec's own column (`question(field, …)`: its key,
its type, whether it is required).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from ketnghia.core.outputs import xlsx_append
from ketnghia.imports.spec import Field

# Languages of the form: ODK wants "Name (code)" so Collect and Enketo can pick one.
LANGUAGES = (("vi", "Tiếng Việt (vi)"), ("en", "English (en)"))
DEFAULT_LANGUAGE = LANGUAGES[0][1]

# The usual order of the survey's and the choices' columns (each text in every language).
_ORDER = [
    "list_name",
    "type",
    "name",
    "label",
    "hint",
    "required",
    "constraint",
    "constraint_message",
    "default",
    "calculation",
    "appearance",
]
# The question type of a spec's field type.
_TYPES = {"int": "integer", "decimal": "decimal", "date": "date"}
_FORM_ID = re.compile(r"[^A-Za-z0-9_]+")

Texts = str | dict[str, str] | None


def both(message: str, **params: Any) -> dict[str, str]:
    """Return `message` (an English msgid) in each form language, keyed by the language name.

    Callers mark the message with `gettext_noop`, so `makemessages` finds it. A bilingual
    parameter (with `vi` and `en`, such as a standard's indicator name) is given in the same
    language.
    """
    texts = {}
    for code, name in LANGUAGES:
        with translation.override(code):
            values = {
                key: (value.en or value.vi if code == "en" else value.vi)
                if hasattr(value, "vi") and hasattr(value, "en")
                else value
                for key, value in params.items()
            }
            text = _(message)
            texts[name] = text % values if params else text
    return texts


def _texts(text: Texts) -> dict[str, str]:
    return both(text) if isinstance(text, str) else (text or {})


def row(type_: str, name: str = "", label: Texts = None, **extra: Any) -> dict:
    """Return a survey row: type, name, its texts in each language and its other columns.

    `label`, `hint` and `constraint_message` are msgids (written in each language by
    `both`) or already per language (`both` with parameters).
    """
    found: dict[str, Any] = {"type": type_, "name": name}
    texts = {"label": label, **{k: extra.pop(k, None) for k in ("hint", "constraint_message")}}
    for key, text in texts.items():
        for lang, value in _texts(text).items():
            found[f"{key}::{lang}"] = value
    return found | extra


def question(field: Field, label: Texts, **extra: Any) -> dict:
    """Return the question of a spec's `field`: its key, type and whether it is required."""
    extra.setdefault("required", "yes" if field.required else "")
    return row(extra.pop("type_", _TYPES.get(field.type, "text")), field.key, label, **extra)


def fixed(name: str, value: object) -> dict:
    """Return a calculated field recording `value` in every submission."""
    return row("calculate", name, calculation=f"'{value}'")


def group(name: str, label: Texts, rows: Sequence[dict], **extra: Any) -> list[dict]:
    """Return `rows` inside a group (`name-…` in ODK Central's export, `name/…` in KoBo's)."""
    return [row("begin_group", name, label, **extra), *rows, row("end_group", name)]


def choice(list_name: str, name: str, label: Texts, **extra: str) -> dict[str, str]:
    """Return a choices row with its label in each language (and its filter columns)."""
    found = {"list_name": list_name, "name": name}
    return found | {f"label::{lang}": text for lang, text in _texts(label).items()} | extra


def named(list_name: str, name: str, label: str, **extra: str) -> dict[str, str]:
    """Return a choice labelled by a proper name (a village, a person): the same in each
    language."""
    return choice(list_name, name, {lang: label for _code, lang in LANGUAGES}, **extra)


def form_id(*parts: str) -> str:
    """Return a form's id ("ketnghia_census_vn_2016_23500"): the same across its versions."""
    return _FORM_ID.sub("_", "_".join(("ketnghia", *parts))).strip("_").lower()


def in_vietnamese(message: str, **params: Any) -> str:
    """Return `message` (a msgid) in the form's default language (its title)."""
    return both(message, **params)[DEFAULT_LANGUAGE]


def _rank(column: str) -> int:
    return _ORDER.index(column) if column in _ORDER else len(_ORDER)


def xlsform(
    *,
    title: str,
    form_id: str,
    survey: list[dict],
    choices: list[dict],
    version: str = "v",
    **settings: str,
) -> bytes:
    """Return the XLSForm (.xlsx bytes) of `survey` and `choices`.

    The version is `version` and a digest of the content, so it changes whenever the form
    does; `settings` are the settings sheet's other columns (`instance_name`…).
    """
    survey = [row("start", "start"), row("end", "end"), *survey]
    digest = hashlib.sha256(repr((survey, choices)).encode()).hexdigest()[:10]
    settings_row = {
        "form_title": title,
        "form_id": form_id,
        "version": f"{version}{digest}",
        "default_language": DEFAULT_LANGUAGE,
        **settings,
    }
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title_, rows in (("survey", survey), ("choices", choices), ("settings", [settings_row])):
        # Every column some row uses, the usual ones first, the others as they come.
        used = dict.fromkeys(key for values in rows for key in values)
        columns = sorted(used, key=lambda key: _rank(key.partition("::")[0]))
        target = workbook.create_sheet(title_)
        xlsx_append(target, columns)
        for values in rows:
            # Names come from the registry: written inert, as every text cell is.
            xlsx_append(target, [values.get(column, "") or None for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
