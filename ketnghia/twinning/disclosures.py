"""Every twinning output that can carry personal data (people's phones), declared to the door.

`twinning/tests/test_pages.py` serves each of them masked and in full.
"""

from __future__ import annotations

from ketnghia.core.personal_data import Kind, register_output

register_output(
    "twinning.person_page",
    channel="page",
    description="/network/people/<id>/: a person of the network with their phone.",
    kinds=(Kind.PHONE,),
)
register_output(
    "twinning.person_api",
    channel="api",
    description="GET /api/network/people/<id>/: a person of the network with their phone.",
    kinds=(Kind.PHONE,),
)
register_output(
    "twinning.commune_page",
    channel="page",
    description="/network/<commune>/: the committee members in charge of villages, with phones.",
    kinds=(Kind.PHONE,),
)
register_output(
    "twinning.assignments_template",
    channel="download",
    description="/network/<commune>/assignments/template.xlsx: the people sheet's phones.",
    kinds=(Kind.PHONE,),
)
