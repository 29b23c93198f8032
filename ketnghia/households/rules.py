"""Pure household rules: how a personal ID number is shown to someone not allowed to read it."""

from __future__ import annotations

MASK = "*"
# A masked number keeps its first digit and its last two: enough to tell two members of one
# household apart on the phone, too little to identify anyone.
KEPT_START = 1
KEPT_END = 2


def mask_personal_id(number: str) -> str:
    """Return `number` with every character but the first and the last two starred.

    "001234567889" → "0*********89"; the length stays, so a reader sees a 12-digit citizen
    ID from a 9-digit old ID card. Numbers too short to keep anything are starred whole.
    """
    number = number.strip()
    if not number:
        return ""
    if len(number) <= KEPT_START + KEPT_END + 1:
        return MASK * len(number)
    hidden = len(number) - KEPT_START - KEPT_END
    return number[:KEPT_START] + MASK * hidden + number[-KEPT_END:]


def shown_personal_id(number: str, *, may_see: bool) -> str:
    """Return the personal ID as a viewer sees it: whole if `may_see`, masked otherwise."""
    return number.strip() if may_see else mask_personal_id(number)
