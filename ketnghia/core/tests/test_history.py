"""Every record users edit keeps its history (who, when, what changed)."""

from __future__ import annotations

from django.apps import apps

# Records written only by the system, never edited by users.
SYSTEM_MODELS = {
    "core.PersonalDataDisclosure",
    "core.Attachment",
    "core.Dataset",
    "census.ImportBatch",
    "imports.ImportJob",
    "census.RoundSummary",
    "indicators.Aggregate",  # derived, like the round summaries (rebuilt from the rows)
    "indicators.DataVersion",  # derived: a counter bumped with every refresh
    "dashboards.DashboardRow",  # derived: a dashboard shaped from the aggregates, rewritten
    # Append-only records: a row is never changed, so it is its own history.
    "support.FundEntry",  # the fund ledger (allocations, adjustments with a reason)
    "portal.BulletinTransition",  # a bulletin's state changes, who and when
    "portal.PortalEvent",  # the moderation and data-rights log (no email in clear)
    # A comment's trail is the portal's event log; a history copy would keep the commenter's
    # email after an erasure request (Law 91/2025/QH15).
    "portal.Comment",
}


def test_every_project_model_keeps_history():
    missing, checked = [], []
    for model in apps.get_models():
        label = model._meta.label
        if not model.__module__.startswith("ketnghia.") or label in SYSTEM_MODELS:
            continue
        if model.__name__.startswith("Historical"):
            continue
        checked.append(label)
        if not hasattr(model, "history"):
            missing.append(label)
    assert missing == []
    assert {"geo.Unit", "accounts.User", "programs.Program"} <= set(checked)
