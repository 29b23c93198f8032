"""Template context every page needs: the demo marker and the user's scope summary."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from ketnghia.core.models import demo_dataset
from ketnghia.core.unavailable import remember_demo


def site(request: HttpRequest) -> dict[str, object]:
    dataset = demo_dataset()
    remember_demo(dataset is not None)
    return {"demo_data": dataset is not None, "demo_dataset": dataset}


def navigation(request: HttpRequest) -> dict[str, object]:
    """The menu's areas for the user, the current one, and its help page (base.html)."""
    from ketnghia.core import navigation as nav

    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    key = nav.current_area(match.namespace, match.url_name) if match is not None else ""
    # Lazy: asked of the gate only when a page draws the menu (not for htmx fragments).
    areas = SimpleLazyObject(lambda: nav.areas_for(user))
    return {
        "nav_areas": areas,
        "nav_current": SimpleLazyObject(
            lambda: next((area for area in areas if area.key == key), None)
        ),
        "nav_area_key": key,
        "nav_help": nav.HELP_OF_AREA.get(key, ""),
    }
