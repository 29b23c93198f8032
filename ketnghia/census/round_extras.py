"""What the round page shows besides its own forms: the district's return step, the files."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ketnghia.census import workflow
from ketnghia.census.forms import BootstrapForm, ReturnForm
from ketnghia.census.models import CensusRound
from ketnghia.core import gate


def round_extras(
    request: HttpRequest, census_round: CensusRound, bound: dict[str, BootstrapForm]
) -> dict[str, Any]:
    """Return the round page's context for the return step and the downloads."""
    user = request.user
    may_return = gate.reaches(user, gate.Action.EDIT, census_round.unit_path) and (
        workflow.may_return(
            getattr(user, "role", ""),
            census_round.state,
            is_superuser=getattr(user, "is_superuser", False),
        )
    )
    return {
        "return_form": bound.get("return") or (ReturnForm() if may_return else None),
    }
