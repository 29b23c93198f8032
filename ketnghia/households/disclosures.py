"""Every household output that can carry personal data, declared to the one door (core)."""

from __future__ import annotations

from ketnghia.core.personal_data import register_output

register_output(
    "households.household_edit_page",
    channel="page",
    description=(
        "/census/<commune>/households/<code>/edit/: the members' forms, with their personal "
        "IDs in full for users the gate allows (masked, and not editable, for others)."
    ),
)
