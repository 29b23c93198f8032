"""Saving a record so its history row names who made the change."""

from __future__ import annotations

from typing import Any

from django.db import models


def save_by(instance: models.Model, actor: Any, *, update_fields: list[str] | None = None) -> None:
    """Save `instance`, recording `actor` (a user, or None for the system) in its history."""
    instance._history_user = actor  # type: ignore[attr-defined]
    instance.save(update_fields=update_fields)
