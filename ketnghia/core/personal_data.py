"""Personal data leaves by one door: the registry of outputs and the one masking function.

Whether a user sees people's ID numbers, phone numbers or birth dates in full is the gate's
decision (`gate.Action.SEE_PERSONAL_DATA` on the record's unit path). Every output that can
carry them — a page, an API answer, a template, an error workbook, an export — is declared
once in `OUTPUTS` (`register_output`, or the `@output(...)` decorator on the function that
builds it) and writes every such value through one `Disclosure`:

    with disclosure_open(user=request.user, output="census.household_page") as door:
        shown = door.show(member.personal_id, kind=Kind.PERSONAL_ID,
                          path=household.unit_path, subject=household.pk)

`show` returns the value whole when the gate allows, masked otherwise, and counts the subjects
(households) shown in full; closing the door writes ONE `PersonalDataDisclosure` row when
anything was shown in full (Decree 13/2023/NĐ-CP: processing is logged). The masking rules
themselves are pure functions below (`mask_personal_id`, `mask_phone`, `mask_birth_date`).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from ketnghia.core import gate
from ketnghia.core.models import DisclosureChannel, PersonalDataDisclosure

MASK = "*"


class Kind(StrEnum):
    """The kinds of personal data the door masks."""

    PERSONAL_ID = "personal_id"
    PHONE = "phone"
    BIRTH_DATE = "birth_date"


# --- Pure masking rules ---------------------------------------------------------------------


def _keep(text: str, start: int, end: int) -> str:
    if len(text) <= start + end + 1:
        return MASK * len(text)
    return text[:start] + MASK * (len(text) - start - end) + text[-end:]


def mask_personal_id(number: str) -> str:
    """Return `number` with every character but the first and the last two starred.

    "001234567889" → "0*********89"; the length stays, so a reader tells a 12-digit citizen
    ID from a 9-digit old ID card. Numbers too short to keep anything are starred whole.
    """
    return _keep(number.strip(), 1, 2)


def mask_phone(number: str) -> str:
    """Return a phone number with its first two and last three digits only: "09*****123"."""
    return _keep("".join(number.split()), 2, 3)


def mask_birth_date(value: date | str) -> str:
    """Return a birth date as its year only: "**/**/1980"."""
    if isinstance(value, date):
        return f"{MASK * 2}/{MASK * 2}/{value.year}"
    text = value.strip()
    year = text[-4:] if len(text) >= 4 and text[-4:].isdigit() else ""
    return f"{MASK * 2}/{MASK * 2}/{year}" if year else MASK * len(text)


def _full(value: Any) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


MASKERS: dict[Kind, Callable[[Any], str]] = {
    Kind.PERSONAL_ID: mask_personal_id,
    Kind.PHONE: mask_phone,
    Kind.BIRTH_DATE: mask_birth_date,
}


def masked(value: Any, *, kind: Kind) -> str:
    """Return `value` as someone who may not see it in full sees it."""
    if value is None or value == "":
        return ""
    # A spreadsheet may hand a number over as an int (its leading zeros already lost).
    return MASKERS[kind](value if isinstance(value, date) else str(value))


def is_masked_form(text: str, *, kind: Kind = Kind.PERSONAL_ID) -> bool:
    """Return whether `text` is what the door writes for a masked value of `kind`."""
    return MASK in text and masked(text.replace(MASK, "0"), kind=kind) == text


# --- The registry of outputs ----------------------------------------------------------------


@dataclass(frozen=True)
class Output:
    """One way personal data can leave the system."""

    code: str
    channel: str
    description: str
    kinds: tuple[Kind, ...] = (Kind.PERSONAL_ID,)


OUTPUTS: dict[str, Output] = {}


def register_output(
    code: str, *, channel: str, description: str, kinds: tuple[Kind, ...] = (Kind.PERSONAL_ID,)
) -> Output:
    """Declare an output that can carry personal data; a code is declared once."""
    declared = Output(code, DisclosureChannel(channel), description, kinds)
    if OUTPUTS.get(code, declared) != declared:
        raise ValueError(f"personal-data output {code!r} declared twice")
    OUTPUTS[code] = declared
    return declared


# --- The door -------------------------------------------------------------------------------


@dataclass
class Disclosure:
    """One output served to one user: masks or discloses each value, logs once on close.

    `user=None` is the operator at the server's command line: they hold the database already,
    so they see everything, and the row records the OS account.
    """

    user: Any
    output: Output
    household: Any = None
    unit_path: str = ""
    detail: str = ""
    _scope: gate.UnitScope | None = None
    _subjects: set[Any] = field(default_factory=set)
    _kinds: set[Kind] = field(default_factory=set)
    _closed: bool = False

    @property
    def scope(self) -> gate.UnitScope:
        if self._scope is None:
            self._scope = (
                gate.EVERYTHING
                if self.user is None
                else gate.scope_for(self.user, gate.Action.SEE_PERSONAL_DATA)
            )
        return self._scope

    def may_see(self, path: str) -> bool:
        """Return whether the gate lets this user see personal data at `path` in full."""
        return self.scope.contains_path(path)

    def show(self, value: Any, *, kind: Kind, path: str, subject: Any = None) -> str:
        """Return `value` whole if the gate allows at `path`, masked otherwise.

        A value shown in full counts its `subject` (a household id; the value itself when
        none is given) towards the one log row written on `close`.
        """
        if self._closed:
            raise RuntimeError("disclosure already closed")
        if kind not in self.output.kinds:
            raise ValueError(f"output {self.output.code!r} is not declared to carry {kind}")
        if value is None or _full(value) == "":
            return ""
        if not self.may_see(path):
            return masked(value, kind=kind)
        self._subjects.add(_full(value) if subject is None else subject)
        self._kinds.add(kind)
        return _full(value)

    @property
    def disclosed(self) -> int:
        """Return how many subjects were shown in full so far."""
        return len(self._subjects)

    def close(self) -> PersonalDataDisclosure | None:
        """Write the one log row of this output when anything was shown in full."""
        if self._closed:
            return None
        self._closed = True
        if not self._subjects:
            return None
        return PersonalDataDisclosure.objects.create(
            user=self.user,
            output=self.output.code,
            channel=self.output.channel,
            household=self.household,
            unit_path=self.unit_path or getattr(self.household, "unit_path", ""),
            subjects=len(self._subjects),
            kinds=",".join(sorted(self._kinds)),
            detail=self.detail if self.user is not None else _operator(self.detail),
        )

    def discard(self) -> None:
        """Close without a log row: the output was not served (a saved form redirected)."""
        self._closed = True

    def __enter__(self) -> Disclosure:
        return self

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        if kind is None:
            self.close()
        else:
            # Nothing left the system: an output that failed while being built is not served.
            self.discard()


def _operator(detail: str) -> str:
    try:
        account = getpass.getuser()
    except (KeyError, OSError):
        account = "?"
    return f"{account}: {detail}"[:255] if detail else account[:255]


def disclosure_open(
    *, user: Any, output: str, household: Any = None, unit_path: str = "", detail: str = ""
) -> Disclosure:
    """Open the door for one serving of registered output `output` to `user`."""
    return Disclosure(
        user=user,
        output=OUTPUTS[output],
        household=household,
        unit_path=unit_path,
        detail=detail,
    )
