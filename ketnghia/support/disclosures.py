"""Support's outputs that can carry personal data, declared to the door (`core.personal_data`)."""

from __future__ import annotations

from ketnghia.core.personal_data import Kind, register_output

register_output(
    "support.delivery_list_docx",
    channel="download",
    description="A village's delivery list (.docx): the head of each household's ID number.",
    kinds=(Kind.PERSONAL_ID,),
)
register_output(
    "support.delivery_list_xlsx",
    channel="download",
    description="A village's delivery list (.xlsx): the head of each household's ID number.",
    kinds=(Kind.PERSONAL_ID,),
)
