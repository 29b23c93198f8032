"""Pure household rules. How a personal ID is masked is the one door's rule (core)."""

from __future__ import annotations

from ketnghia.core.personal_data import mask_personal_id

__all__ = ["mask_personal_id"]
