"""One hierarchy of domain errors, each with a Vietnamese message and where it happened.

Pages, the API and the CLI render these the same way; anything else is a bug and is left
to surface as one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.forms import BaseForm
from django.utils.encoding import force_str
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


@dataclass(frozen=True)
class Location:
    """Where a problem is: any of file, sheet, row (1-based, as the spreadsheet shows), column, field."""

    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    field: str = ""

    def describe(self) -> str:
        from django.utils.translation import gettext as _

        parts = []
        if self.file:
            parts.append(_("file %(file)s") % {"file": self.file})
        if self.sheet:
            parts.append(_("sheet %(sheet)s") % {"sheet": self.sheet})
        if self.row is not None:
            parts.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            parts.append(_("column %(column)s") % {"column": self.column})
        if self.field:
            parts.append(_("field %(field)s") % {"field": self.field})
        return ", ".join(parts)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "field": self.field,
        }


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, with its location."""

    message: str
    location: Location = Location()

    def __str__(self) -> str:
        where = self.location.describe()
        return f"{where}: {force_str(self.message)}" if where else force_str(self.message)

    def as_dict(self) -> dict[str, object]:
        return {"message": force_str(self.message), **self.location.as_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        """Return the problem `as_dict` gave (from a job's report or a worker's outcome)."""
        return cls(
            str(data.get("message", "")),
            Location(
                file=data.get("file") or "",
                sheet=data.get("sheet") or "",
                row=data.get("row"),
                column=data.get("column") or "",
                field=data.get("field") or "",
            ),
        )


class KetnghiaError(Exception):
    """Base of every domain error; carries one or more problems, nothing is written."""

    def __init__(
        self, problems: Iterable[Problem] | Problem | str, *, count: int | None = None
    ) -> None:
        if isinstance(problems, Problem):
            problems = [problems]
        elif isinstance(problems, str) or not isinstance(problems, Iterable):
            problems = [Problem(force_str(problems))]
        self.problems: list[Problem] = list(problems)
        # How many problems were found: more than listed when a long list was cut (its
        # last item then says how many were left out).
        self.count: int = len(self.problems) if count is None else count
        super().__init__("; ".join(str(p) for p in self.problems))


class InvalidInput(KetnghiaError):
    """The input breaks a rule; every problem found is listed, nothing was written."""


class NotFound(KetnghiaError):
    """The record does not exist or the user may not see it (the same answer for both)."""


def add_problems(form: BaseForm, error: KetnghiaError) -> None:
    """Show a service's problems on a page's form: beside the visible field each one names,
    the others above the form."""
    for problem in error.problems:
        field = problem.location.field
        visible = field in form.fields and not form.fields[field].widget.is_hidden
        form.add_error(field if visible else None, str(problem.message))


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Render domain errors as `{"errors": [...]}` with 400 or 404; defer to DRF otherwise."""
    if isinstance(exc, KetnghiaError):
        code = (
            status.HTTP_404_NOT_FOUND if isinstance(exc, NotFound) else status.HTTP_400_BAD_REQUEST
        )
        return Response({"errors": [p.as_dict() for p in exc.problems]}, status=code)
    return exception_handler(exc, context)
