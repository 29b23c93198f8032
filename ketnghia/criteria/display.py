"""Criteria as a reader sees them: labels in the reader's language, values with their unit.

Pure (no ORM): the pages, the .xlsx export and the dashboards' drill-downs read criteria through
these, so a code (`poverty_rate`, `nvv-example`) never reaches a reader.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from ketnghia.core import formatting
from ketnghia.criteria.domain import CriteriaSet, Criterion, Text

OPERATOR_SIGN = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}


def localised(text: Text) -> str:
    """Return the English text to an English reader when there is one, else the Vietnamese."""
    return str(text)


def criterion_label(criterion: Criterion) -> str:
    return localised(criterion.text)


def set_label(criteria_set: CriteriaSet) -> str:
    return localised(criteria_set.name)


def _amount(value: float, unit: str) -> str:
    if unit == "%":
        return formatting.format_percent(value, 1)
    number = formatting.format_decimal(value, 0 if float(value).is_integer() else 1)
    return f"{number}\u00a0{unit}" if unit else number


def value_text(criterion: Criterion, value: float | None, threshold: float | None) -> str:
    """Return "43,5 % / < 35 %" for a measured criterion, "" where the mark says it all.

    A criterion whose formula is itself a comparison (`cultural_house == 1`) has the value 1
    or 0 (true or false): its ✓ or ✗ and the words beside it are the whole answer, a "1,0"
    would only puzzle.
    """
    if value is None or not criterion.operator:
        return ""
    shown = _amount(value, criterion.unit)
    if threshold is None:
        return shown
    sign = OPERATOR_SIGN.get(criterion.operator, criterion.operator)
    return f"{shown} / {sign}\u00a0{_amount(threshold, criterion.unit)}"


def failing_labels(criteria_set: CriteriaSet | None, codes: Iterable[str]) -> list[str]:
    """Return the labels of the criteria `codes` names (a code no longer in the set as is)."""
    by_code = {c.code: c for c in criteria_set.criteria} if criteria_set else {}
    return [criterion_label(by_code[code]) if code in by_code else code for code in codes]


def state_words(state: str) -> str:
    return {"met": _("met"), "not_met": _("not met"), "missing": _("missing")}.get(state, state)


def cell(criterion: Criterion, detail: dict[str, Any]) -> dict[str, Any]:
    """Return one matrix cell: the state, its words and the value with its unit."""
    return {
        "criterion": criterion,
        "label": criterion_label(criterion),
        **detail,
        "words": state_words(detail["state"]),
        "shown": value_text(criterion, detail.get("value"), detail.get("threshold")),
    }
