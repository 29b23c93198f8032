"""What makes two imported reports the same activity (pure: no ORM, no files).

A field submission is known by the id its server keeps across edits: ODK Central's `KEY`
(the first version's instance id; an edit gets a new `meta-instanceID`, the `KEY` stays),
KoBoToolbox's `meta/rootUuid` (KoBo's `_uuid` and `meta/instanceID` change on every edit;
an older server only says which version an edit replaces, in `meta/deprecatedID`). The
"uuid:" prefix is taken off, so Central's and KoBo's export of one submission agree.

A bulk-template row has no id: it is known by its content *as parsed* — the team, the date
as an ISO date, the kind's code, the village and participants by their stored ids, numbers
as numbers, free text in NFC with every run of whitespace (no-break spaces too) one space
and case folded. So the same rows saved by Excel as "CSV UTF-8" (dates as "16/11/2026",
12.0 as "12"), by LibreOffice, typed as text or in NFD are the same rows. The key is
computed from what the activity stores, so a stored activity has the key its row had.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from typing import Any

ROW_PREFIX = "row:"
# Characters that are invisible in a cell and only get there by copy and paste.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def plain_id(text: str) -> str:
    """Return a submission id as stored: trimmed, without ODK's "uuid:" prefix."""
    text = text.strip()
    return text[5:].strip() if text.lower().startswith("uuid:") else text


def identity_text(text: str) -> str:
    """Return free text as identity compares it: NFC, whitespace collapsed, case folded."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    # str.split() splits on every Unicode space: no-break (U+00A0), narrow (U+202F), tabs.
    return " ".join(text.split()).casefold()


def row_key(activity: Any, participant_ids: Iterable[int]) -> str:
    """Return the identity of a template row (the activity it writes, unsaved) or of a
    stored activity from its content: the same for both."""
    parts = [
        str(activity.team_id),
        activity.date.isoformat(),
        activity.kind,
        "" if activity.village_id is None else str(activity.village_id),
        ",".join(str(pk) for pk in sorted(set(participant_ids))),
        str(int(activity.reached_male)),
        str(int(activity.reached_female)),
        str(int(activity.reached_minority)),
        str(int(activity.resources_vnd)),
        identity_text(activity.resources_in_kind),
        identity_text(activity.notes),
    ]
    return ROW_PREFIX + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
