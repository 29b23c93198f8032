"""The reader's rights pages: ask by email, then open the signed link (never cached)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ketnghia.core.gate import gate
from ketnghia.portal import rights as rights_service
from ketnghia.portal import selectors, services
from ketnghia.portal.forms import RightsForm


@gate("public")
@never_cache
@require_http_methods(["GET", "POST"])
def rights(request: HttpRequest) -> HttpResponse:
    """Ask for the list of one's comments or their erasure: a signed link goes by email."""
    form = RightsForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        rights_service.rights_request(
            email=form.cleaned_data["email"],
            kind=form.cleaned_data["kind"],
            link_for=lambda token: request.build_absolute_uri(
                reverse("portal:rights_link", args=[token])
            ),
        )
        sent = True
        form = RightsForm()
    status = 400 if request.method == "POST" and not sent else 200
    return render(request, "portal/rights.html", {"form": form, "sent": sent}, status=status)


@gate("public")
@never_cache
@require_http_methods(["GET", "POST"])
def rights_link(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link: the list of one's comments, or a confirmation to erase them."""
    found = rights_service.token_read(token)
    if found is None:
        return render(request, "portal/rights_link.html", {"invalid": True}, status=400)
    digest, kind = found
    erased = None
    if kind == "erase" and request.method == "POST":
        erased = services.comments_erase(digest=digest)
    elif request.method == "GET":
        services.rights_log(f"rights.opened.{kind}", digest=digest)
    comments = list(selectors.comments_of_person(digest=digest)) if kind == "list" else []
    return render(
        request,
        "portal/rights_link.html",
        {"kind": kind, "comments": comments, "erased": erased, "token": token},
    )
