"""The job page every web upload has: progress, preview, confirm, problems, error workbook.

Routes under /imports/ with the `signed_in` gate rule; a job is its uploader's alone (any
other user gets the same 404 as for a missing job). Confirming runs the job's spec again
for real, and the spec resolves its scope for the user again (`ImportSpec.context`), so a
confirmation can do nothing the user may not do.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ketnghia.core import gate
from ketnghia.core.errors import Location, Problem
from ketnghia.imports.jobs import job_check, job_file_intact, job_forget_file, job_run
from ketnghia.imports.models import ImportJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _job_or_404(request: HttpRequest, key: str) -> ImportJob:
    job = ImportJob.objects.filter(key=key, created_by=request.user).first()
    if job is None:
        raise Http404(_("Import not found."))
    return job


def _warning(item: dict) -> str:
    """Return a reader's warning kept in a report (a `Problem` as a dataclass dict)."""
    return str(Problem(str(item.get("message", "")), Location(**(item.get("location") or {}))))


def _context(job: ImportJob) -> dict:
    outcome = job.report or {}
    report = outcome.get("report") or {}
    return {
        "job": job,
        "report": report,
        # The preview's changes per field (a records import's), by the field's name.
        "fields": sorted((report.get("fields") or {}).items()),
        "warnings": [_warning(item) for item in report.get("warnings") or []],
        "problems": [str(Problem.from_dict(p)) for p in outcome.get("errors", [])],
        "error_count": outcome.get("error_count", 0),
        "section": "imports",
    }


@gate.gate("signed_in")
def job_page(request: HttpRequest, key: str) -> HttpResponse:
    """Show one upload: its progress, its preview, its problems, the confirm button (a job
    whose worker is gone is failed first, saying so)."""
    job = job_check(_job_or_404(request, key))
    return render(request, "imports/job.html", _context(job))


@require_POST
@gate.gate("signed_in")
def job_confirm(request: HttpRequest, key: str) -> HttpResponse:
    """Import a checked upload for real, after its preview; all or nothing."""
    job = _job_or_404(request, key)
    if not job.may_confirm or not job_file_intact(job):
        raise Http404(_("This upload is no longer waiting for a confirmation."))
    try:
        job_run(job, confirm=True, dry_run=False)
    finally:
        job_forget_file(job)
    return HttpResponseRedirect(reverse("imports:job", args=[job.key]))


@gate.gate("signed_in")
def job_errors(request: HttpRequest, key: str) -> HttpResponse:
    """Download the error workbook of a refused upload: its problems and faulty rows."""
    job = _job_or_404(request, key)
    if not job.errors:
        raise Http404(_("This import has no error workbook."))
    with job.errors.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="loi-{job.key[:8]}.xlsx"'
    return response
