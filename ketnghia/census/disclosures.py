"""Every census output that can carry personal data, declared to the one door (core).

An output not declared here cannot open a `Disclosure` (`disclosure_open` refuses an unknown
code), and `core/tests/test_personal_data.py` serves each of them as a district officer and a
commune officer.
"""

from __future__ import annotations

from ketnghia.core.personal_data import register_output

register_output(
    "census.household_page",
    channel="page",
    description="/census/household/<commune>/<code>/: the members with their personal IDs.",
)
register_output(
    "census.household_api",
    channel="api",
    description="GET /api/households/<commune>/<code>/: the members with their personal IDs.",
)
register_output(
    "census.template_xlsx",
    channel="download",
    description="The round's .xlsx template: households and their members' personal IDs.",
)
register_output(
    "census.template_csv",
    channel="download",
    description="The round's .csv template: households only (no member column today).",
)
register_output(
    "census.import_errors_xlsx",
    channel="download",
    description="The error workbook of a refused upload: its problems and faulty rows.",
)
register_output(
    "census.template_cli",
    channel="cli",
    description="`ketnghia census-template`: the template, IDs in full for the operator.",
)
register_output(
    "census.import_errors_cli",
    channel="cli",
    description="`ketnghia import-census --errors-out`: the faulty rows of the operator's file.",
)
