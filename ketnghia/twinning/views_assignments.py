"""The assignments import on a commune's network page: template, upload, preview, confirm.

Every route is gated by `units.edit` and takes the commune from the URL through the scoped
selector, so a commune the user may not edit answers 404 as a missing one does. An upload (the
assignments file and, if given, a people file) is an `ImportJob` of the assignments spec
(`imports.jobs`), checked at once in the memory-capped worker, nothing written: the page
shows the change preview per commune, or every problem located with the error workbook kept
on the job. The confirm button imports the same stored file for real, for the same user and
commune only, and removes it; uploads never confirmed are removed after a day.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ketnghia.census.forms import BootstrapForm
from ketnghia.core import gate
from ketnghia.core.errors import InvalidInput, Location, NotFound, Problem
from ketnghia.core.personal_data import disclosure_open
from ketnghia.geo.models import Unit
from ketnghia.imports.jobs import job_create, job_file_intact, job_forget_file, job_run
from ketnghia.imports.models import ImportJob
from ketnghia.imports.readers import CSV_SUFFIXES, XLSX_SUFFIXES
from ketnghia.imports.spec import spec_path
from ketnghia.twinning import selectors
from ketnghia.twinning.assignment_import.spec import ASSIGNMENTS, outcome_label
from ketnghia.twinning.assignment_import.template import assignments_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DIRECTORY = "twinning/assignment-imports"


class AssignmentUploadForm(BootstrapForm):
    file = forms.FileField(
        label=gettext_lazy("Assignments file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    people = forms.FileField(
        label=gettext_lazy("People file (.csv or .xlsx), if the people are not on a sheet"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _commune_or_404(request: HttpRequest, code: str) -> Unit:
    try:
        return selectors.commune_get_for(scope=request.scope, code=code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@gate.gate("units.edit")
def assignments_template_download(request: HttpRequest, commune: str) -> HttpResponse:
    """Download the commune's assignments template (.xlsx), phones through the door."""
    found = _commune_or_404(request, commune)
    with disclosure_open(
        user=request.user,
        output="twinning.assignments_template",
        unit_path=found.path,
        detail=found.code,
    ) as door:
        content = assignments_template(commune=found, scope=request.scope, disclosure=door)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="phan-cong-{found.code}.xlsx"'
    return response


def _outcome_context(outcome: dict[str, Any]) -> dict[str, Any]:
    report = outcome.get("report")
    if report is not None:
        report = {
            **report,
            "changes": [
                {**change, "what": outcome_label(change["outcome"])}
                for change in report.get("changes", [])
            ],
        }
    return {
        "report": report,
        # Checked and changing something: it waits for the confirmation (not a failure).
        "pending": bool(report) and bool(report.get("would_change")),
        "errors": outcome.get("errors", []),
        "error_count": outcome.get("error_count", 0),
    }


def _page(
    request: HttpRequest, commune: Unit, extra: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {
        "commune": commune,
        "form": AssignmentUploadForm(),
        "section": "twinning",
        **extra,
    }
    return render(request, "twinning/assignments_import.html", context, status=status)


@gate.gate("units.edit")
def assignments_upload(request: HttpRequest, commune: str) -> HttpResponse:
    """Upload an assignments file: checked at once, nothing written; preview or problems."""
    found = _commune_or_404(request, commune)
    if request.method != "POST":
        return _page(request, found, {})
    form = AssignmentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, found, {"form": form}, status=400)
    uploaded, people = form.cleaned_data["file"], form.cleaned_data.get("people")
    try:
        for name in [uploaded.name, *([people.name] if people else [])]:
            if PurePath(name or "").suffix.lower() not in CSV_SUFFIXES | XLSX_SUFFIXES:
                message = _("This file type is not supported; save it as .xlsx or .csv (UTF-8).")
                raise InvalidInput(Problem(message, Location(file=PurePath(name or "").name)))
        upload = job_create(
            spec=ASSIGNMENTS,
            uploaded_file=uploaded,
            companion=people,
            scope={"commune": found.code},
            actor=request.user,
            directory=DIRECTORY,
        )
    except InvalidInput as error:
        for problem in error.problems:
            form.add_error("file", str(problem))
        return _page(request, found, {"form": form}, status=400)
    outcome = job_run(upload, dry_run=True)
    context = {"upload": upload, **_outcome_context(outcome)}
    return _page(request, found, context, status=200 if context["report"] else 400)


def _upload_or_404(request: HttpRequest, commune: Unit, key: str) -> ImportJob:
    """Return the stored upload `key` of the user for `commune`; 404 for anything else."""
    upload = ImportJob.objects.filter(
        key=key, created_by=request.user, spec=spec_path(ASSIGNMENTS), scope__commune=commune.code
    ).first()
    if upload is None or not job_file_intact(upload):
        raise Http404(_("Upload not found."))
    return upload


@require_POST
@gate.gate("units.edit")
def assignments_confirm(request: HttpRequest, commune: str, key: str) -> HttpResponse:
    """Import a checked upload for real, confirmed after its change preview."""
    found = _commune_or_404(request, commune)
    upload = _upload_or_404(request, found, key)
    outcome = job_run(upload, dry_run=False, confirm=True)
    if outcome.get("errors"):
        context = {"upload": upload, **_outcome_context(outcome)}
        return _page(request, found, context, status=400)
    job_forget_file(upload)
    report = outcome["report"]
    messages.success(
        request,
        _(
            "The file was imported: %(created)s new assignments, %(reassigned)s "
            "reassignments, %(ended)s ended, %(unchanged)s unchanged."
        )
        % {key: report.get(key, 0) for key in ("created", "reassigned", "ended", "unchanged")},
    )
    return HttpResponseRedirect(reverse("twinning:commune_network", args=[found.code]))


@gate.gate("units.edit")
def assignments_errors(request: HttpRequest, commune: str, key: str) -> HttpResponse:
    """Download the error workbook of a refused upload (the problems and the faulty rows)."""
    found = _commune_or_404(request, commune)
    upload = _upload_or_404(request, found, key)
    if upload.errors:  # kept on the job when it was refused, else made now
        with upload.errors.open("rb") as handle:
            content = handle.read()
    else:
        problems = [Problem.from_dict(item) for item in (upload.report or {}).get("errors", [])]
        content = ASSIGNMENTS.error_workbook(
            Path(upload.file.path), file_name=upload.file_name, problems=problems
        )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="loi-phan-cong-{found.code}.xlsx"'
    return response
