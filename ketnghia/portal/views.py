"""Public pages of the portal (no sign-in): bulletins, comments, figures, the reader's rights.

GET pages are served from the portal's cache to readers who are not signed in
(`cache.public_page`: ETag, `Cache-Control: public`), invalidated when the public side changes.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from ketnghia.core.errors import InvalidInput, NotFound
from ketnghia.core.gate import gate
from ketnghia.portal import figures, selectors, services
from ketnghia.portal.cache import csrf_context, public_page
from ketnghia.portal.conf import setting
from ketnghia.portal.errors import CommentRefused
from ketnghia.portal.forms import CommentForm
from ketnghia.portal.models import Bulletin
from ketnghia.portal.rules import CommentState

PER_PAGE = 20


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    extra = {"small_cell_min": int(setting("small_cell_min")), **csrf_context(request)}
    return render(request, template, {**context, **extra}, status=status)


def _list_page(request: HttpRequest, rows: Any, **context: Any) -> HttpResponse:
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return _render(request, "portal/list.html", {"page": page, **context})


@gate("public")
@require_GET
@public_page
def bulletin_list(request: HttpRequest) -> HttpResponse:
    """The bulletins, newest first; `?q=` searches them with diacritics ignored."""
    query = request.GET.get("q", "").strip()[:100]
    return _list_page(
        request,
        selectors.bulletins_public(query=query),
        query=query,
        programs=figures.programs_public(),
    )


@gate("public")
@require_GET
@public_page
def tag(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        found = selectors.tag_public(slug=slug)
    except NotFound as exc:
        raise Http404("tag") from exc
    return _list_page(request, selectors.bulletins_public(tag=slug), tag=found)


def _bulletin_context(
    request: HttpRequest, bulletin: Bulletin, form: CommentForm
) -> dict[str, Any]:
    images = list(bulletin.images.all())
    canonical = request.build_absolute_uri(bulletin.get_absolute_url())
    return {
        "bulletin": bulletin,
        "images": images,
        "threads": selectors.comments_public(bulletin=bulletin),
        "form": form,
        "canonical": canonical,
        "og_image": request.build_absolute_uri(images[0].get_absolute_url()) if images else "",
        "notice": request.GET.get("comment", ""),
    }


@gate("public")
@require_GET
@public_page
def bulletin(request: HttpRequest, slug: str) -> HttpResponse:
    """One bulletin with its approved comments and the comment form."""
    try:
        found = selectors.bulletin_public(slug=slug)
    except NotFound as exc:
        raise Http404("bulletin") from exc
    # "Reply" links to ?reply=<id>: the form answers that comment (checked when posted).
    reply = request.GET.get("reply", "")
    form = CommentForm(initial={"parent": reply} if reply.isdigit() else None)
    return _render(request, "portal/bulletin.html", _bulletin_context(request, found, form))


@gate("public")
@require_POST
def comment_post(request: HttpRequest, slug: str) -> HttpResponse:
    """Take a reader's comment; a refusal re-shows the form with a Vietnamese message."""
    try:
        found = selectors.bulletin_public(slug=slug)
    except NotFound as exc:
        raise Http404("bulletin") from exc
    form = CommentForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        comment = services.comment_submit(
            bulletin=found,
            name=data.get("name", ""),
            email=data.get("email", ""),
            content=data.get("content", ""),
            consent=bool(data.get("consent")),
            ip=_client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            parent_id=data.get("parent") or None,
            honeypot=data.get("website", ""),
        )
    except CommentRefused as error:
        form.add_problems(error)
        if error.status == 429:
            # A flood gets a light page (the message and the form with the reader's text),
            # never the whole bulletin rendered again for each refused post.
            return _render(
                request, "portal/comment_refused.html", {"bulletin": found, "form": form}, 429
            )
        return _render(
            request, "portal/bulletin.html", _bulletin_context(request, found, form), error.status
        )
    except InvalidInput as error:
        form.add_problems(error)
        return _render(
            request, "portal/bulletin.html", _bulletin_context(request, found, form), 400
        )
    target = found.get_absolute_url()
    if comment is not None and comment.state == CommentState.APPROVED:
        return redirect(f"{target}?{urlencode({'comment': 'published'})}#comment-{comment.pk}")
    return redirect(f"{target}?{urlencode({'comment': 'held'})}#comment-form")


@gate("public")
@require_GET
def image(request: HttpRequest, key: str) -> HttpResponse:
    """A picture of a published bulletin, shown inline (never sniffed)."""
    try:
        found = selectors.image_public(key=key)
    except NotFound as exc:
        raise Http404("image") from exc
    attachment = found.attachment
    response = FileResponse(attachment.stored.open("rb"), content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    if not request.user.is_authenticated:
        response["Cache-Control"] = "public, max-age=3600"
    return response


# --- Public figures ---------------------------------------------------------------------------


@gate("public")
@require_GET
@public_page
def program_figures(request: HttpRequest, program: str) -> HttpResponse:
    """A program's published figures (official rounds) and its communes, small cells withheld."""
    try:
        found = figures.program_public(code=program)
    except NotFound as exc:
        raise Http404("program") from exc
    year = figures.latest_year(found)
    return _render(
        request,
        "portal/figures.html",
        {
            "program": found,
            "year": year,
            "figures": figures.program_figures_public(found, year) if year else [],
            "rows": figures.commune_rows_public(found, year) if year else [],
            "trend": figures.trend_public(found),
        },
    )


@gate("public")
@require_GET
@public_page
def commune_figures(request: HttpRequest, program: str, commune: str) -> HttpResponse:
    try:
        found = figures.program_public(code=program)
        unit = figures.commune_public(found, commune)
    except NotFound as exc:
        raise Http404("commune") from exc
    year = figures.latest_year(found)
    return _render(
        request,
        "portal/figures.html",
        {
            "program": found,
            "commune": unit,
            "year": year,
            "figures": figures.commune_figures_public(found, unit, year) if year else [],
            "trend": figures.trend_public(found, unit),
        },
    )
