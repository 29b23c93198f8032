"""Core's outputs that can carry personal data, declared to the door (`core.personal_data`)."""

from __future__ import annotations

from ketnghia.core.personal_data import Kind, register_output

register_output(
    "core.admin_pages",
    channel="page",
    description=(
        "/admin/…/<id>/change/, …/history/ and …/history/<version>/: the personal fields of a "
        "record (a person's phone) in its change form, its history and its revert form."
    ),
    kinds=(Kind.PHONE, Kind.PERSONAL_ID, Kind.BIRTH_DATE),
)
