"""Activities from the field, as pages: the XLSForm and template downloads, the upload of a
CSV export or filled template with its change preview and confirmation, and activity photos.

Routes under /network/ with the gate's `activities.record` rule; on top of it a work team is
one the user may record for (`activity_import.pipeline.teams_user_may_import_for`), any other is 404
as a missing one. The upload is an `ImportJob` of the activity spec (`imports.jobs`): checked
(a dry run, never written) in the memory-capped worker process every upload is read in,
kept under `MEDIA_ROOT/twinning/imports/` under the job's key, and imported when its
uploader confirms the preview (an upload never confirmed is deleted a day later, at the next
upload). The job's page (`/imports/<key>/`) shows it again, with its error workbook.
"""

from __future__ import annotations

from pathlib import PurePath
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
from ketnghia.core.errors import KetnghiaError, NotFound, Problem
from ketnghia.geo.models import Unit
from ketnghia.imports.jobs import job_create, job_file_intact, job_forget_file, job_run
from ketnghia.imports.models import ImportJob
from ketnghia.imports.readers import CSV_SUFFIXES, XLSX_SUFFIXES
from ketnghia.imports.spec import spec_path
from ketnghia.twinning import selectors
from ketnghia.twinning.activity_import.pipeline import ACTIVITIES, teams_user_may_import_for
from ketnghia.twinning.activity_import.template import activity_template
from ketnghia.twinning.activity_import.xlsform import activity_xlsform
from ketnghia.twinning.activity_photos import activity_photo_add
from ketnghia.twinning.models import WorkTeam

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An activity file is small: far under the census's limit, so a check in the request is cheap.
DEFAULT_UPLOAD_MAX_BYTES = 5 * 1024 * 1024


class ActivityUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV export (ODK, KoBo) or filled template"))

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        limit = int(
            getattr(settings, "KETNGHIA_ACTIVITY_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES)
        )
        if PurePath(uploaded.name or "").suffix.lower() not in CSV_SUFFIXES | XLSX_SUFFIXES:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if uploaded.size > limit:
            raise forms.ValidationError(
                _("The file is larger than the %(limit)s MB an activity file may be.")
                % {"limit": limit // (1024 * 1024)}
            )
        return uploaded


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


@gate.gate("activities.record")
def team_xlsform(request: HttpRequest, pk: int) -> HttpResponse:
    """Download a work team's visit report as an XLSForm (ODK Central, KoBoToolbox)."""
    team = _team_or_404(request, pk)
    content = _checked_form(activity_xlsform(team=team))
    return _download(content, f"bao-cao-hoat-dong-to-{team.pk}.xlsx")


@gate.gate("activities.record")
def organisation_xlsform(request: HttpRequest) -> HttpResponse:
    """Download the visit report of every team of the user's organisation (or theirs to record)."""
    own = request.user.organisation_id
    teams = [t for t in _teams(request) if own is None or t.organisation_id == own]
    if not teams:
        raise Http404(_("No work team you may record for."))
    return _download(_checked_form(activity_xlsform(teams=teams)), "bao-cao-hoat-dong.xlsx")


@gate.gate("activities.record")
def team_template(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the bulk-entry template of one work team's activities (.xlsx)."""
    team = _team_or_404(request, pk)
    return _download(activity_template(team=team), f"hoat-dong-to-{team.pk}.xlsx")


@gate.gate("activities.record")
def commune_template(request: HttpRequest, commune: str) -> HttpResponse:
    """Download the bulk-entry template of a commune's work teams (.xlsx)."""
    found = _commune_or_404(request, commune)
    if not any(
        t.commune_id == found.pk for t in teams_user_may_import_for(user=request.user).values()
    ):
        raise Http404(_("No work team you may record for."))
    return _download(activity_template(commune=found), f"hoat-dong-{found.code}.xlsx")


# Where the checked uploads wait for their confirmation (a day at most).
UPLOAD_DIRECTORY = "twinning/imports"


def _teams(request: HttpRequest) -> list[WorkTeam]:
    """Return the teams the user may record for inside their scope, by commune and name."""
    teams = teams_user_may_import_for(user=request.user).values()
    found = [t for t in teams if request.scope.contains_path(t.unit_path)]
    return sorted(found, key=lambda t: (t.commune.path, t.name, t.pk))


def _page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "twinning/activities_import.html", context, status=status)


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"teams": _teams(request), "section": "twinning", **extra}


def _refused(request: HttpRequest, context: dict[str, Any], outcome: dict) -> HttpResponse:
    """Show the upload's problems, each located (nothing was written)."""
    context["problems"] = [str(Problem.from_dict(p)) for p in outcome["errors"]]
    return _page(request, context, 400)


def _target(request: HttpRequest, data: Any) -> tuple[WorkTeam | None, Unit | None]:
    """Return the team or commune an upload is for (`team`: an id, `commune`: a code, in the
    query or in the job's scope), 404 outside."""
    team = commune = None
    if data.get("team"):
        if not str(data["team"]).isdigit():
            raise Http404(_("Work team not found."))
        team = _team_or_404(request, int(data["team"]))
    if data.get("commune"):
        commune = _commune_or_404(request, str(data["commune"]))
    return team, commune


@gate.gate("activities.record")
def activities_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV export or a filled template; it is checked and its preview shown.

    The upload is an `ImportJob` of the activity spec, checked in the memory-capped worker
    (`imports.jobs`); its key confirms it, its page (`imports:job`) shows it again.
    """
    team, commune = _target(request, request.POST if request.method == "POST" else request.GET)
    form = ActivityUploadForm(request.POST or None, request.FILES or None)
    context = _context(request, form=form, team=team, commune=commune)
    if request.method != "POST":
        return _page(request, context)
    if not form.is_valid():
        return _page(request, context, 400)
    job = job_create(
        spec=ACTIVITIES,
        uploaded_file=form.cleaned_data["file"],
        scope={"team": team.pk if team else None, "commune": commune.code if commune else None},
        actor=request.user,
        directory=UPLOAD_DIRECTORY,
    )
    outcome = job_run(job)
    context["job"] = job
    # A refused file, or one that writes nothing, has no confirmation to wait for.
    waits = not outcome.get("errors") and outcome["report"]["would_change"]
    if not waits:
        job_forget_file(job)
    if outcome.get("errors"):
        return _refused(request, context, outcome)
    context.update(report=outcome["report"], key=job.key if waits else "")
    return _page(request, context)


@require_POST
@gate.gate("activities.record")
def activities_import_confirm(request: HttpRequest) -> HttpResponse:
    """Import a checked upload for real, after its preview; all or nothing."""
    key = str(request.POST.get("key", ""))
    job = ImportJob.objects.filter(
        key=key, created_by=request.user, spec=spec_path(ACTIVITIES)
    ).first()
    # A check (a dry run) waiting for its confirmation; not one already imported.
    if job is None or not (job.dry_run and job.may_confirm):
        raise Http404(_("This upload is no longer waiting for a confirmation."))
    team, commune = _target(request, job.scope)
    context = _context(request, form=ActivityUploadForm(), team=team, commune=commune, job=job)
    try:
        if not job_file_intact(job):
            raise Http404(_("This upload is no longer waiting for a confirmation."))
        outcome = job_run(job, confirm=True, dry_run=False)
    finally:
        job_forget_file(job)
    if outcome.get("errors"):
        return _refused(request, context, outcome)
    report = outcome["report"]
    messages.success(
        request,
        _("%(count)s activities imported from %(file)s (%(already)s already imported).")
        % {
            "count": report["created"],
            "file": report["file"],
            "already": report["already_imported"],
        },
    )
    if commune is not None:
        return HttpResponseRedirect(reverse("twinning:commune_network", args=[commune.code]))
    return HttpResponseRedirect(reverse("twinning:overview"))


@require_POST
@gate.gate("activities.record")
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
