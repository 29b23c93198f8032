"""Pages that belong to no domain: the home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketnghia.core.gate import gate


@gate("public")
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")
