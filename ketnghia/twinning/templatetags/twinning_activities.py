"""Template tags of the activity tools: the teams the user may record for, worked out once."""

from __future__ import annotations

from typing import Any

from django import template

from ketnghia.twinning.activity_import.pipeline import teams_user_may_import_for

register = template.Library()

_CACHE = "_twinning_recordable_teams"


def _teams(context: dict[str, Any]) -> list[Any]:
    request = context.get("request")
    if request is None:
        return []
    cached = getattr(request, _CACHE, None)
    if cached is None:
        scope = getattr(request, "scope", None)
        cached = sorted(
            (
                team
                for team in teams_user_may_import_for(user=request.user).values()
                if scope is not None and scope.contains_path(team.unit_path)
            ),
            key=lambda t: (t.commune.path, t.name, t.pk),
        )
        setattr(request, _CACHE, cached)
    return cached


@register.simple_tag(takes_context=True)
def recordable_teams(context: dict[str, Any], commune: Any = None) -> list[Any]:
    """Return the work teams the user may record for (of `commune` when given)."""
    teams = _teams(context)
    return [t for t in teams if not commune or t.commune_id == commune.pk]


@register.simple_tag(takes_context=True)
def recordable_team_ids(context: dict[str, Any]) -> frozenset[int]:
    """Return the ids of the work teams the user may record for."""
    return frozenset(t.pk for t in _teams(context))
