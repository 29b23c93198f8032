"""Template context every page needs: the demo marker and the user's scope summary."""

from __future__ import annotations

from django.http import HttpRequest

from ketnghia.core.models import demo_dataset
from ketnghia.core.unavailable import remember_demo


def site(request: HttpRequest) -> dict[str, object]:
    dataset = demo_dataset()
    remember_demo(dataset is not None)
    return {"demo_data": dataset is not None, "demo_dataset": dataset}
