"""The change preview of an assignments import in words, for the CLI and the upload page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ketnghia.core.text import format_number
from ketnghia.twinning.assignment_import import plan


def outcome_label(outcome: str) -> str:
    """Return the (translated) name of what a row does."""
    return {
        plan.CREATED: _("new"),
        plan.REASSIGNED: _("reassignment"),
        plan.ENDED: _("ended"),
        plan.CHANGED: _("decision corrected"),
        plan.UNCHANGED: _("unchanged"),
    }.get(outcome, outcome)


def preview_lines(report: Any) -> list[str]:
    """Return the change preview as lines of text (the CLI's output)."""
    prefix = _("Dry run, nothing written. ") if report.dry_run else ""
    lines = [
        prefix
        + _(
            "%(file)s: %(rows)s rows; new assignments %(created)s, reassignments %(reassigned)s "
            "(closing %(closed)s stored ones), ended %(ended)s, decisions corrected "
            "%(changed)s, unchanged %(unchanged)s; people created %(people_created)s, "
            "updated %(people_updated)s."
        )
        % {
            "file": report.file,
            "rows": format_number(report.rows),
            "created": format_number(report.created),
            "reassigned": format_number(report.reassigned),
            "closed": format_number(report.closed),
            "ended": format_number(report.ended),
            "changed": format_number(report.updated),
            "unchanged": format_number(report.unchanged),
            "people_created": format_number(report.people_created),
            "people_updated": format_number(report.people_updated),
        }
    ]
    for code, counts in report.by_commune.items():
        lines.append(
            _(
                "  %(code)s %(name)s: new %(created)s, reassignments %(reassigned)s, ended "
                "%(ended)s, decisions corrected %(changed)s, unchanged %(unchanged)s"
            )
            % {"code": code, **counts}
        )
    for change in report.changes:
        closes = "; ".join(change["closes"])
        lines.append(
            _("  row %(row)s (%(what)s): %(record)s from %(start)s")
            % {
                "row": change["row"],
                "what": outcome_label(change["outcome"]),
                "record": change["record"],
                "start": change["start"],
            }
            + (_(", closes %(closes)s") % {"closes": closes} if closes else "")
        )
    lines.extend(f"  {note}" for note in report.people_suggestions)
    if report.needs_confirmation and not report.confirmed:
        lines.append(
            _("This import needs a confirmation: %(why)s")
            % {"why": " ".join(report.confirmation_reasons)}
        )
    return lines
