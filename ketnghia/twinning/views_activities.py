"""Activities from the field, as pages: the XLSForm and template downloads, the upload of a
CSV export or filled template with its change preview and confirmation, and activity photos.

Routes under /network/ with the `units.view` gate rule; on top of it a work team is one the
user may record for (`activity_import.pipeline.teams_user_may_import_for`), any other is 404
as a missing one. The upload is checked (a dry run, never written) in the memory-capped
worker process every upload is read in (`imports.worker`), kept under
`MEDIA_ROOT/twinning/imports/` with its key in the user's session, and imported when the user
confirms the preview (an upload never confirmed is deleted a day later, at the next upload).
"""

from __future__ import annotations

import contextlib
import hashlib
import time
import uuid
from pathlib import Path, PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from ketnghia.core import gate
from ketnghia.core.errors import KetnghiaError, Location, NotFound, Problem
from ketnghia.geo.models import Unit
from ketnghia.imports.readers import CSV_SUFFIXES, XLSX_SUFFIXES
from ketnghia.imports.worker import WorkerDied, worker_run
from ketnghia.twinning import selectors
from ketnghia.twinning.activity_import.pipeline import (
    ActivityImportReport,
    teams_user_may_import_for,
)
from ketnghia.twinning.activity_import.template import activity_template
from ketnghia.twinning.activity_import.xlsform import activity_xlsform
from ketnghia.twinning.activity_photos import activity_photo_add
from ketnghia.twinning.models import WorkTeam

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "twinning_activity_imports"
# An activity file is small: far under the census's limit, so a check in the request is cheap.
DEFAULT_UPLOAD_MAX_BYTES = 5 * 1024 * 1024


class ActivityUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV export (ODK, KoBo) or filled template"))


class PhotoForm(forms.Form):
    photo = forms.FileField(label=gettext_lazy("Photo (JPEG or PNG)"))


def _download(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def _team_or_404(request: HttpRequest, pk: int) -> WorkTeam:
    team = teams_user_may_import_for(user=request.user).get(pk)
    if team is None or not request.scope.contains_path(team.unit_path):
        raise Http404(_("Work team not found."))
    return team


def _commune_or_404(request: HttpRequest, code: str) -> Unit:
    try:
        return selectors.commune_get_for(scope=request.scope, code=code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _checked_form(content: bytes) -> bytes:
    try:
        convert(xlsform=content, file_type=".xlsx")
    except PyXFormError as error:  # a bug of the generator: say it, do not hand the form out
        raise RuntimeError(f"the generated XLSForm does not convert: {error}") from error
    return content


@gate.gate("units.view")
def team_xlsform(request: HttpRequest, pk: int) -> HttpResponse:
    """Download a work team's visit report as an XLSForm (ODK Central, KoBoToolbox)."""
    team = _team_or_404(request, pk)
    content = _checked_form(activity_xlsform(team=team))
    return _download(content, f"bao-cao-hoat-dong-to-{team.pk}.xlsx")


@gate.gate("units.view")
def organisation_xlsform(request: HttpRequest) -> HttpResponse:
    """Download the visit report of every team of the user's organisation (or theirs to record)."""
    teams = [
        t
        for t in teams_user_may_import_for(user=request.user).values()
        if request.scope.contains_path(t.unit_path)
        and (
            request.user.organisation_id is None
            or t.organisation_id == request.user.organisation_id
        )
    ]
    if not teams:
        raise Http404(_("No work team you may record for."))
    teams.sort(key=lambda t: (t.commune.path, t.name, t.pk))
    content = _checked_form(activity_xlsform(teams=teams))
    return _download(content, "bao-cao-hoat-dong.xlsx")


@gate.gate("units.view")
def team_template(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the bulk-entry template of one work team's activities (.xlsx)."""
    team = _team_or_404(request, pk)
    return _download(activity_template(team=team), f"hoat-dong-to-{team.pk}.xlsx")


@gate.gate("units.view")
def commune_template(request: HttpRequest, commune: str) -> HttpResponse:
    """Download the bulk-entry template of a commune's work teams (.xlsx)."""
    found = _commune_or_404(request, commune)
    if not any(
        t.commune_id == found.pk for t in teams_user_may_import_for(user=request.user).values()
    ):
        raise Http404(_("No work team you may record for."))
    return _download(activity_template(commune=found), f"hoat-dong-{found.code}.xlsx")


# An upload never confirmed is removed this long after it was checked.
PENDING_SECONDS = 24 * 3600


def _imports_dir() -> Path:
    directory = Path(settings.MEDIA_ROOT) / "twinning" / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _forget_stale_uploads(directory: Path) -> None:
    """Delete the checked uploads nobody confirmed within `PENDING_SECONDS`."""
    limit = time.time() - PENDING_SECONDS
    for stale in directory.iterdir():
        with contextlib.suppress(FileNotFoundError):
            if stale.is_file() and stale.stat().st_mtime < limit:
                stale.unlink()


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    teams = sorted(
        (
            t
            for t in teams_user_may_import_for(user=request.user).values()
            if request.scope.contains_path(t.unit_path)
        ),
        key=lambda t: (t.commune.path, t.name, t.pk),
    )
    return {"teams": teams, "section": "twinning", **extra}


def _target(request: HttpRequest) -> tuple[WorkTeam | None, Unit | None]:
    """Return the team or commune the upload is for (?team=ID, ?commune=CODE), 404 outside."""
    data = request.POST if request.method == "POST" else request.GET
    team = commune = None
    if data.get("team"):
        if not str(data["team"]).isdigit():
            raise Http404(_("Work team not found."))
        team = _team_or_404(request, int(data["team"]))
    if data.get("commune"):
        commune = _commune_or_404(request, str(data["commune"]))
    return team, commune


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _run_import(
    stored: Path,
    name: str,
    request: HttpRequest,
    team: WorkTeam | None,
    commune: Unit | None,
    *,
    dry_run: bool = False,
    confirm: bool = False,
) -> dict[str, Any]:
    """Check or import a stored upload in the memory-capped worker process (`imports.worker`),
    so no file can take the web server down; return its outcome as plain data."""
    try:
        return worker_run(
            "ketnghia.twinning.activity_import.pipeline:activity_import_worker",
            path=str(stored),
            file_name=name,
            user_id=request.user.pk,
            team_id=team.pk if team else None,
            commune_code=commune.code if commune else None,
            dry_run=dry_run,
            confirm=confirm,
        )
    except WorkerDied as died:
        return {"errors": [Problem(died.message, Location(file=name)).as_dict()], "error_count": 1}


@gate.gate("units.view")
def activities_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV export or a filled template; it is checked and its preview shown."""
    team, commune = _target(request)
    form = ActivityUploadForm(request.POST or None, request.FILES or None)
    context = _context(request, form=form, team=team, commune=commune)
    if request.method != "POST":
        return render(request, "twinning/activities_import.html", context)
    if not form.is_valid():
        return render(request, "twinning/activities_import.html", context, status=400)
    uploaded = form.cleaned_data["file"]
    name = PurePath(uploaded.name or "").name[:200]
    suffix = PurePath(name).suffix.lower()
    limit = int(getattr(settings, "KETNGHIA_ACTIVITY_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES))
    if suffix not in (*CSV_SUFFIXES, *XLSX_SUFFIXES):
        form.add_error("file", _("Upload a .csv or .xlsx file."))
    elif uploaded.size > limit:
        form.add_error(
            "file",
            _("The file is larger than the %(limit)s MB an activity file may be.")
            % {"limit": limit // (1024 * 1024)},
        )
    if form.errors:
        return render(request, "twinning/activities_import.html", context, status=400)
    key = uuid.uuid4().hex
    _forget_stale_uploads(_imports_dir())
    stored = _imports_dir() / f"{key}{suffix}"
    digest = hashlib.sha256()
    with stored.open("wb") as handle:
        for chunk in uploaded.chunks():
            digest.update(chunk)
            handle.write(chunk)
    outcome = _run_import(stored, name, request, team, commune, dry_run=True)
    if outcome.get("errors"):
        stored.unlink(missing_ok=True)
        context["problems"] = [str(Problem.from_dict(p)) for p in outcome["errors"]]
        return render(request, "twinning/activities_import.html", context, status=400)
    report = ActivityImportReport.from_dict(outcome["report"])
    if report.writes:
        pending = request.session.get(SESSION_KEY, {})
        pending[key] = {
            "path": stored.name,
            "name": name,
            "sha256": digest.hexdigest(),
            "team": team.pk if team else None,
            "commune": commune.code if commune else None,
        }
        request.session[SESSION_KEY] = pending
    else:
        stored.unlink(missing_ok=True)
    context.update(report=report, key=key if report.writes else "")
    return render(request, "twinning/activities_import.html", context)


@require_POST
@gate.gate("units.view")
def activities_import_confirm(request: HttpRequest) -> HttpResponse:
    """Import a checked upload for real, after its preview; all or nothing."""
    pending = request.session.get(SESSION_KEY, {})
    key = str(request.POST.get("key", ""))
    entry = pending.get(key)
    if entry is None:
        raise Http404(_("This upload is no longer waiting for a confirmation."))
    stored = _imports_dir() / entry["path"]
    team = _team_or_404(request, entry["team"]) if entry["team"] else None
    commune = _commune_or_404(request, entry["commune"]) if entry["commune"] else None
    context = _context(request, form=ActivityUploadForm(), team=team, commune=commune)
    try:
        if _sha256(stored) != entry["sha256"]:
            raise Http404(_("This upload is no longer waiting for a confirmation."))
        outcome = _run_import(stored, entry["name"], request, team, commune, confirm=True)
    except FileNotFoundError:
        raise Http404(_("This upload is no longer waiting for a confirmation.")) from None
    finally:
        pending.pop(key, None)
        request.session[SESSION_KEY] = pending
        stored.unlink(missing_ok=True)
    if outcome.get("errors"):
        context["problems"] = [str(Problem.from_dict(p)) for p in outcome["errors"]]
        return render(request, "twinning/activities_import.html", context, status=400)
    report = ActivityImportReport.from_dict(outcome["report"])
    messages.success(
        request,
        _("%(count)s activities imported from %(file)s (%(already)s already imported).")
        % {"count": report.created, "file": report.file, "already": report.already_imported},
    )
    if commune is not None:
        return HttpResponseRedirect(reverse("twinning:commune_network", args=[commune.code]))
    return HttpResponseRedirect(reverse("twinning:overview"))


@require_POST
@gate.gate("units.view")
def activity_photo(request: HttpRequest, commune: str, pk: int) -> HttpResponse:
    """Attach a photo to an activity of a team the user may record for."""
    found = _commune_or_404(request, commune)
    activity = selectors.activity_list_for(scope=request.scope, commune=found).filter(pk=pk).first()
    if activity is None or activity.team_id not in teams_user_may_import_for(user=request.user):
        raise Http404(_("Activity not found."))
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            activity_photo_add(
                activity=activity, uploaded_file=form.cleaned_data["photo"], actor=request.user
            )
        except KetnghiaError as error:
            for problem in error.problems:
                messages.error(request, str(problem))
        else:
            messages.success(request, _("Photo added."))
    else:
        messages.error(request, _("Choose a photo to upload."))
    return HttpResponseRedirect(
        reverse("twinning:commune_network", args=[found.code]) + "#activities"
    )
