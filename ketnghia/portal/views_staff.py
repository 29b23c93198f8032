"""The editor's and the moderator's pages, each behind its gate rule (`portal.edit`,
`portal.moderate`); records outside the user's province answer 404."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ketnghia.core.errors import InvalidInput, NotFound
from ketnghia.core.gate import gate
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.portal import figures, selectors, services
from ketnghia.portal.forms import BulletinForm, ImageForm
from ketnghia.portal.from_report import draft_from_review
from ketnghia.portal.models import Bulletin
from ketnghia.portal.rules import TRANSITIONS, CommentState, HeldReason

_IMPORTMAP = re.compile(r"<script type=\"importmap\"[^>]*>(.*?)</script>", re.S)


def _editor_csp(response: HttpResponse, media: str) -> HttpResponse:
    """Allow the editor's import map (an inline JSON block) by its hash, nothing else inline."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(m.encode()).digest()).decode() + "'"
        for m in _IMPORTMAP.findall(media)
    ]
    policy = getattr(settings, "KETNGHIA_CSP", "")
    if policy and hashes:
        response["Content-Security-Policy"] = policy.replace(
            "script-src 'self'", "script-src 'self' " + " ".join(hashes), 1
        )
    return response


def _province_of(request: HttpRequest) -> Unit:
    """Return the province a new bulletin speaks for: the user's jurisdiction's province."""
    unit = request.user.jurisdiction  # type: ignore[union-attr]
    while unit is not None and unit.level != UnitLevel.PROVINCE:
        unit = unit.parent
    if unit is None:
        raise Http404("no province")
    return unit


def _bulletin(request: HttpRequest, pk: Any) -> Bulletin:
    try:
        return selectors.bulletin_get_for(scope=request.scope, pk=pk)  # type: ignore[attr-defined]
    except NotFound as exc:
        raise Http404("bulletin") from exc


@gate("portal.edit")
def manage(request: HttpRequest) -> HttpResponse:
    """The editor's bulletins: every state, newest change first, with comments waiting."""
    rows = selectors.bulletins_for(scope=request.scope)  # type: ignore[attr-defined]
    state = request.GET.get("state", "")
    if state:
        rows = rows.filter(state=state)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/manage.html",
        {"page": page, "state": state, "programs": figures.programs_public()},
    )


def _edit_page(
    request: HttpRequest, form: BulletinForm, bulletin: Bulletin | None, status: int = 200
) -> HttpResponse:
    media = str(form.media)
    context = {
        "form": form,
        "bulletin": bulletin,
        "image_form": ImageForm(),
        "actions": _actions(bulletin) if bulletin else [],
        "steps": bulletin.transitions.select_related("actor") if bulletin else [],
    }
    return _editor_csp(render(request, "portal/edit.html", context, status=status), media)


ACTION_LABELS = {
    "submit": gettext_lazy("Submit for review"),
    "return": gettext_lazy("Return to draft"),
    "publish": gettext_lazy("Publish"),
    "withdraw": gettext_lazy("Withdraw"),
    "redraft": gettext_lazy("Back to draft"),
}


def _actions(bulletin: Bulletin) -> list[tuple[str, str]]:
    return [
        (action, str(ACTION_LABELS[action]))
        for action, (sources, _target) in TRANSITIONS.items()
        if bulletin.state in sources
    ]


@gate("portal.edit")
@require_http_methods(["GET", "POST"])
def bulletin_new(request: HttpRequest) -> HttpResponse:
    form = BulletinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.bulletin_create(
                actor=request.user, unit=_province_of(request), **form.content()
            )
        except InvalidInput as error:
            form.add_problems(error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("portal:bulletin_edit", created.pk)
    return _edit_page(request, form, None, 400 if request.method == "POST" else 200)


@gate("portal.edit")
@require_http_methods(["GET", "POST"])
def bulletin_edit(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    initial = {
        "title": bulletin.title,
        "lead": bulletin.lead,
        "body": bulletin.body,
        "byline": bulletin.byline,
        "tags": ", ".join(t.name for t in bulletin.tags.all()),
        "comments_open": bulletin.comments_open,
    }
    form = BulletinForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.bulletin_update(actor=request.user, bulletin=bulletin, **form.content())
        except InvalidInput as error:
            form.add_problems(error)
        else:
            messages.success(request, _("The bulletin is saved."))
            return redirect("portal:bulletin_edit", bulletin.pk)
    return _edit_page(request, form, bulletin, 400 if request.method == "POST" else 200)


@gate("portal.edit")
@require_POST
def bulletin_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    if action not in TRANSITIONS:
        raise Http404("action")
    try:
        services.bulletin_transition(actor=request.user, bulletin=bulletin, action=action)
    except InvalidInput as error:
        for problem in error.problems:
            messages.error(request, str(problem.message))
    else:
        messages.success(
            request,
            _("Done: the bulletin is now “%(state)s”.") % {"state": bulletin.get_state_display()},
        )
    return redirect("portal:bulletin_edit", bulletin.pk)


@gate("portal.edit")
@require_POST
def image_add(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    form = ImageForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("portal:bulletin_edit", bulletin.pk)
    try:
        services.bulletin_image_add(
            actor=request.user,
            bulletin=bulletin,
            uploaded_file=form.cleaned_data["image"],
            caption=form.cleaned_data["caption"],
            alt=form.cleaned_data["alt"],
        )
    except InvalidInput as error:
        for problem in error.problems:
            messages.error(request, str(problem.message))
    else:
        messages.success(request, _("The picture is added."))
    return redirect("portal:bulletin_edit", bulletin.pk)


@gate("portal.edit")
@require_POST
def from_report(request: HttpRequest) -> HttpResponse:
    """Make a draft bulletin from the review report asked for (its narrative and figures)."""
    try:
        bulletin = draft_from_review(request=request, province=_province_of(request))
    except InvalidInput as error:
        for problem in error.problems:
            messages.error(request, str(problem.message))
        return redirect("portal:manage")
    messages.success(
        request, _("A draft bulletin was made from the review report: finish it, then publish it.")
    )
    return redirect("portal:bulletin_edit", bulletin.pk)


# --- Moderation -----------------------------------------------------------------------------


@gate("portal.moderate")
@require_http_methods(["GET", "POST"])
def moderation(request: HttpRequest) -> HttpResponse:
    """The moderator's queue: counts by state, the reason each comment was held, bulk actions."""
    scope = request.scope  # type: ignore[attr-defined]
    state = request.GET.get("state", CommentState.HELD)
    if state not in CommentState.values:
        state = CommentState.HELD
    if request.method == "POST":
        action = request.POST.get("action", "")
        ids = [i for i in request.POST.getlist("comment") if i.isdigit()][:500]
        chosen = list(selectors.comments_for(scope=scope).filter(pk__in=ids))
        if not chosen:
            messages.error(request, _("Choose at least one comment."))
        else:
            try:
                n = services.comments_moderate(actor=request.user, comments=chosen, action=action)
            except InvalidInput as error:
                messages.error(request, str(error.problems[0].message))
            else:
                messages.success(request, _("%(n)d comment(s) changed.") % {"n": n})
        return redirect(f"{request.path}?state={state}")
    rows = selectors.comments_for(scope=scope, state=state)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    counts = selectors.comment_counts_for(scope=scope)
    return render(
        request,
        "portal/moderation.html",
        {
            "page": page,
            "state": state,
            "states": [(s, CommentState(s).label, counts[s]) for s in CommentState.values],
            "reasons": dict(HeldReason.choices),
        },
    )


@gate("portal.moderate")
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        parent = selectors.comment_get_for(scope=request.scope, pk=pk)  # type: ignore[attr-defined]
    except NotFound as exc:
        raise Http404("comment") from exc
    try:
        services.comment_reply(
            actor=request.user, parent=parent, content=request.POST.get("content", "")
        )
    except InvalidInput as error:
        messages.error(request, str(error.problems[0].message))
    else:
        messages.success(request, _("Your reply is published."))
    state = request.POST.get("state", "")
    back = reverse("portal:moderation")
    return redirect(f"{back}?state={state}" if state in CommentState.values else back)
