"""Sections of the review that apps above this one contribute (economic models and outcomes).

This app may not import the apps above it (`economy`, `support`), so they register a provider
here in their `AppConfig.ready()`: `register_review_section(key, provider)`. A provider gets
the program, the years and the reader's scope and returns a `ContributedSection` (pure data:
a title, paragraphs, tables of plain cells) or None when it has nothing to say; the page, the
JSON, the .xlsx (a sheet per table) and the .docx (a numbered part of section I) print it.
The files are Vietnamese whatever the reader's language: `contributed_sections(language="vi")`
asks the providers under Vietnamese.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

Cell = str | int | float | None


@dataclass(frozen=True)
class SectionTable:
    """A table of the section: its title, column headers and rows of plain cells."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    # Per column: "count" (#,##0), "points" (0.0) or "" (text), for the .xlsx.
    formats: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "columns": list(self.columns),
            "rows": [list(row) for row in self.rows],
        }


@dataclass(frozen=True)
class ContributedSection:
    """One contributed section of the review."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[SectionTable, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)  # machine-readable figures (JSON)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "paragraphs": list(self.paragraphs),
            "tables": [table.as_dict() for table in self.tables],
            **({"data": self.data} if self.data else {}),
        }


Provider = Callable[..., "ContributedSection | None"]
_PROVIDERS: dict[str, Provider] = {}


def register_review_section(key: str, provider: Provider) -> None:
    """Register (or replace) the provider of section `key`; sections print in key order."""
    _PROVIDERS[key] = provider


def contributed_sections(
    *, program: Any, baseline_year: int, review_year: int, scope: Any, language: str | None = None
) -> list[ContributedSection]:
    """Return the registered sections for the review, in key order (under `language`)."""
    sections: list[ContributedSection] = []
    with translation.override(language) if language else nullcontext():
        for key in sorted(_PROVIDERS):
            found = _PROVIDERS[key](
                program=program,
                baseline_year=baseline_year,
                review_year=review_year,
                scope=scope,
            )
            if found is not None:
                sections.append(found)
    return sections


def for_review(review: Any, *, scope: Any, language: str | None = None) -> list[ContributedSection]:
    """Return the contributed sections of a `selectors.ReviewRequest` for a reader's scope."""
    return contributed_sections(
        program=review.program,
        baseline_year=review.baseline_year,
        review_year=review.review_year,
        scope=scope,
        language=language,
    )
