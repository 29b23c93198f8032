"""Writes of the twinning network, each in one transaction with history; bad input writes nothing.

Refusals name the record and the rule it breaks: "Party member X → household H: at most 10
households per Party member (program rule)".

One module per concept; every public name is re-exported here, so callers write
`from ketnghia.twinning import services` or `from ketnghia.twinning.services import …`.
"""

from __future__ import annotations

from ketnghia.twinning.services._common import (
    ACTIVITIES,
    ASSIGNMENTS,
    NETWORK,
    ONE_DAY,
    network_changed,
)
from ketnghia.twinning.services.activities import (
    activity_confirm,
    activity_problems,
    activity_record,
    work_team_create,
)
from ketnghia.twinning.services.admin_writes import (
    organisation_save,
    organisation_write_problems,
    twinning_save,
    twinning_write_problems,
)
from ketnghia.twinning.services.assignments import (
    assignment_create,
    assignment_end,
    assignment_problems,
    assignment_reassign,
    coverage_changed,
)
from ketnghia.twinning.services.organisations import (
    organisation_create,
    person_create,
    person_problems,
)
from ketnghia.twinning.services.proposals import proposal_accept
from ketnghia.twinning.services.twinnings import twinning_create, twinning_reassign

__all__ = [
    "ACTIVITIES",
    "ASSIGNMENTS",
    "NETWORK",
    "ONE_DAY",
    "activity_confirm",
    "activity_problems",
    "activity_record",
    "assignment_create",
    "assignment_end",
    "assignment_problems",
    "assignment_reassign",
    "coverage_changed",
    "network_changed",
    "organisation_create",
    "organisation_save",
    "organisation_write_problems",
    "person_create",
    "person_problems",
    "proposal_accept",
    "twinning_create",
    "twinning_reassign",
    "twinning_save",
    "twinning_write_problems",
    "work_team_create",
]
