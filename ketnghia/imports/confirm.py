"""The one confirmation rule every import follows, and the one `ConfirmationNeeded`.

A commit whose plan has reasons to be looked at first (it changes a large share of what is
stored, closes stored records, touches several communes — each importer says which) is
refused with `ConfirmationNeeded` unless `confirm` is given; a dry run is never refused.
The refusal carries the report, so the page or the command shows the change preview
beside the confirm button.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.text import format_number

# Below this many changed records a share never asks for a confirmation (a small round).
CONFIRM_MIN_CHANGED = 10
# More than this share of the stored records changed always asks.
MAJORITY = 0.5


class ConfirmationNeeded(InvalidInput):
    """An import refused until it is confirmed; `report` holds its change preview."""

    def __init__(self, problems: Any, report: Any) -> None:
        super().__init__(problems)
        self.report = report


def confirm_share() -> float:
    """Return the share of the stored records an import may change without a confirmation."""
    return float(getattr(settings, "KETNGHIA_IMPORT_CONFIRM_SHARE", 0.2))


def changes_need_confirmation(
    *, changed: int, before: int, share: float | None = None, majority: bool = True
) -> bool:
    """Return whether changing `changed` of `before` stored records needs a confirmation.

    More than `share` of them, from `CONFIRM_MIN_CHANGED` changed records on; with
    `majority`, more than half of them whatever their number.
    """
    if before <= 0 or changed <= 0:
        return False
    share = confirm_share() if share is None else share
    changed_share = changed / before
    if majority and changed_share > MAJORITY:
        return True
    return changed >= CONFIRM_MIN_CHANGED and changed_share > share


def share_reasons(*, changed: int, before: int, message: str, majority: bool = False) -> list[str]:
    """Return the rule's reason in words when changing `changed` of `before` stored records
    needs a confirmation (more than the share, from `CONFIRM_MIN_CHANGED` on; with
    `majority`, more than half of them whatever their number), else none.

    `message` is the importer's sentence, with the placeholders changed, before, percent and
    limit (numbers written the Vietnamese way).
    """
    share = confirm_share()
    if not changes_need_confirmation(
        changed=changed, before=before, share=share, majority=majority
    ):
        return []
    return [
        message
        % {
            "changed": format_number(changed),
            "before": format_number(before),
            "percent": format_number(100 * changed / before, 1),
            "limit": format_number(100 * share, 1),
        }
    ]


def require_confirmation(
    reasons: list[str],
    report: Any,
    *,
    file_name: str,
    confirm: bool,
    dry_run: bool,
    message: str | None = None,
) -> None:
    """Raise `ConfirmationNeeded` when `reasons` is not empty and the commit is not confirmed.

    `message` replaces the standard "Nothing was written: …" sentence (it then names the
    reasons itself).
    """
    if not reasons or confirm or dry_run:
        return
    text = message or _("Nothing was written: this import needs a confirmation. %(why)s") % {
        "why": " ".join(reasons)
    }
    raise ConfirmationNeeded([Problem(text, Location(file=file_name))], report)
