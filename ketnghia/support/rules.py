"""Pure rules of support: the cycle's workflow, entitlements with a true cap, fund arithmetic.

No ORM here: services and selectors hand in plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# The cycle's steps, as the anchors have them: draft → submitted → approved → delivered →
# reconciled; a submitted cycle may be rejected (back to the preparer), any open one cancelled.
DRAFT = "draft"
SUBMITTED = "submitted"
APPROVED = "approved"
DELIVERED = "delivered"
RECONCILED = "reconciled"
REJECTED = "rejected"
CANCELLED = "cancelled"

TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({SUBMITTED, CANCELLED}),
    SUBMITTED: frozenset({APPROVED, REJECTED, CANCELLED}),
    REJECTED: frozenset({DRAFT, CANCELLED}),
    APPROVED: frozenset({DELIVERED, CANCELLED}),
    DELIVERED: frozenset({RECONCILED}),
    RECONCILED: frozenset(),
    CANCELLED: frozenset(),
}
# States whose money is spoken for: committed (approved) or spent (delivered, reconciled).
COMMITTED_STATES = frozenset({APPROVED})
SPENT_STATES = frozenset({DELIVERED, RECONCILED})
# States in which the list of recipients may still change.
EDITABLE_STATES = frozenset({DRAFT, REJECTED})

HOUSEHOLD_FACTS = (
    "poor",
    "near_poor",
    "members",
    "deprivations",
    "income",
    "census_year",
    "program_commune",
    "key_commune",
)


def may_move(state: str, target: str) -> bool:
    """Return whether a cycle in `state` may go to `target`."""
    return target in TRANSITIONS.get(state, frozenset())


def entitlement(*, quantity: Decimal, multiplier_value: int | None, cap: Decimal | None) -> Decimal:
    """Return what one recipient is entitled to: quantity × multiplier, never above the cap.

    The cap is a maximum (OpenSPP applied its "maximum" as a floor, #728): a household of
    two under a cap of 5 gets 2, not 5.
    """
    amount = quantity * (multiplier_value if multiplier_value is not None else 1)
    if cap is not None and amount > cap:
        amount = cap
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def value_of(quantity: Decimal, unit_value: int) -> int:
    """Return the value in VND of `quantity` units (rounded half up to the đồng)."""
    return int((quantity * unit_value).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def parse_quantity(text: object) -> Decimal | None:
    """Return a quantity typed by a person ("2", "2,5", "1.5"), or None when it is not one.

    Negative numbers and anything that is not a finite number give None (the caller refuses).
    """
    if text is None:
        return None
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float | Decimal):
        raw = str(text)
    else:
        raw = str(text).strip().replace(" ", "")
        if raw.count(",") == 1 and "." not in raw:
            raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0:
        return None
    return value


def parse_money(text: object) -> int | None:
    """Return an amount of VND typed by a person ("1.200.000", "1 200 000", 1200000).

    Signed: an adjustment may be negative. None when it is not a whole number.
    """
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int):
        return text
    raw = str(text).strip().replace(" ", "").replace("\u00a0", "")
    negative = raw.startswith("-")
    digits = raw.lstrip("-+").replace(".", "")
    if not digits.isdigit() or len(digits) > 15:
        return None
    return -int(digits) if negative else int(digits)


@dataclass(frozen=True)
class FundFigures:
    """One fund's money: allocated (the ledger), committed, delivered and what is left."""

    allocated: int
    committed: int
    delivered: int

    @property
    def balance(self) -> int:
        return self.allocated - self.committed - self.delivered


def overspends(figures: FundFigures, request: int) -> bool:
    """Return whether approving `request` more would take the fund below zero."""
    return request > figures.balance
