"""The portal's refusals: a domain error with the HTTP status a public form answers with."""

from __future__ import annotations

from ketnghia.core.errors import InvalidInput, Location, Problem


class CommentRefused(InvalidInput):
    """A comment refused as WordPress refuses one; `status` is what the page answers."""

    def __init__(self, message: str, *, status: int = 400, field: str = "") -> None:
        super().__init__(Problem(message, Location(field=field)))
        self.status = status
