"""Template context every page needs: the demo marker and the user's scope summary."""

from __future__ import annotations

from django.http import HttpRequest

from ketnghia.core.models import holds_demo_data


def site(request: HttpRequest) -> dict[str, object]:
    return {"demo_data": holds_demo_data()}
