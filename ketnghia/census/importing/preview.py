"""The change preview of a census import: what the plan found, put in words and figures.

`plan.plan_import` counts, in SQL over the staged file, what committing it would change;
this module decides whether that needs an explicit confirmation (more than
`KETNGHIA_IMPORT_CONFIRM_SHARE` of the round's entries changed, or entries brought back to
the previous round's values) and writes the preview for the CLI (`preview_lines`) and the
upload's page (`preview_for_page`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ketnghia.census.importing.plan import CensusImportReport
from ketnghia.core.text import format_number
from ketnghia.imports.confirm import share_reasons

# The preview's counts: its key (the page's, the CLI's) and the report's field.
PREVIEW_COUNTS = {
    "changed": "updated",
    "before": "entries_before",
    "added": "households_created",
    "returning": "households_returning",
    "reverted": "entries_reverted",
}


def confirmation_reasons(planned: CensusImportReport) -> list[str]:
    """Return why committing `planned` needs an explicit confirmation (empty: it does not)."""
    reasons = share_reasons(
        changed=planned.updated,
        before=planned.entries_before,
        majority=True,
        message=_(
            "It changes %(changed)s of the round's %(before)s entries (%(percent)s %%, more "
            "than %(limit)s %%)."
        ),
    )
    if planned.entries_reverted:
        reasons.append(
            _(
                "It brings %(count)s entries back to the values of the previous round (an old "
                "file uploaded again?)."
            )
            % {"count": format_number(planned.entries_reverted)}
        )
    return reasons


def field_label(key: str) -> str:
    """Return the Vietnamese (translated) name of a field of the change preview."""
    labels = {
        "head_name": _("head of household"),
        "village": _("village"),
        "area": _("area"),
        "member_count": _("members"),
        "surveyed_on": _("survey date"),
        "income": _("income"),
        "deprivations": _("deprivations"),
        "status": _("status"),
    }
    return labels.get(key, key)


def preview_lines(report: Any) -> list[str]:
    """Return the change preview as lines of text (the CLI's output): the page's preview."""
    page = preview_for_page(report.as_dict())
    assert page is not None
    lines = [
        _(
            "Change preview: %(changed)s of the round's %(before)s entries change; "
            "%(added)s new households; %(returning)s households return after leaving; "
            "%(reverted)s entries go back to the previous round's values."
        )
        % {key: format_number(page[key]) for key in PREVIEW_COUNTS}
    ]
    if fields := [f"{label} {format_number(count)}" for label, count in page["fields"]]:
        lines.append(_("Values changed, by field: %(fields)s.") % {"fields": ", ".join(fields)})
    for row in page["sample"]:
        changes = "; ".join(
            f"{label}: {old if old not in (None, '') else '—'} → "
            f"{new if new not in (None, '') else '—'}"
            for label, old, new in row["changes"]
        )
        lines.append(
            _("  row %(row)s, household %(code)s: %(changes)s")
            % {"row": row["row"], "code": row["code"], "changes": changes}
        )
    lines += page["notes"]
    if page["needs_confirmation"] and not report.confirmed:
        lines.append(
            _("This import needs a confirmation: %(why)s") % {"why": " ".join(page["reasons"])}
        )
    return lines


def preview_for_page(report: dict[str, Any]) -> dict[str, Any] | None:
    """Return a job report's change preview with translated field names, for the page."""
    if "field_changes" not in report:
        return None
    # What the import leaves out on purpose, in words (CLI and page alike).
    notes = []
    if count := report.get("members_born_later", 0):
        rows = report.get("members_born_later_rows") or []
        notes.append(
            _(
                "%(count)s persons of the members sheet were born after %(year)s: the census "
                "of %(year)s does not count them, so they are left out (the registry keeps "
                "them as they are). Sheet and row: %(rows)s."
            )
            % {
                "count": format_number(count),
                "year": report.get("round_year", ""),
                "rows": ", ".join(rows) + (" …" if count > len(rows) else ""),
            }
        )
    return {
        **{key: report.get(field, 0) for key, field in PREVIEW_COUNTS.items()},
        "fields": [
            (field_label(key), count) for key, count in report["field_changes"].items() if count
        ],
        "sample": [
            {
                "row": row.get("row"),
                "code": row.get("code"),
                "changes": [
                    (field_label(key), old, new) for key, (old, new) in row["changes"].items()
                ],
            }
            for row in report.get("sample", [])
        ],
        "needs_confirmation": report.get("needs_confirmation", False),
        "reasons": report.get("confirmation_reasons", []),
        "notes": notes,
    }
