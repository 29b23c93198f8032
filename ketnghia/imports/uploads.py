"""The one upload page of a spec: a file in, checked in the worker, then the job page.

An app declares an `Upload` for each spec it takes from the web and routes it with
`upload_paths` under the gate rule of the people who may run it: `spec_upload` at the route,
`spec_template` at the route's `template.xlsx`, the upload passed as their extra argument:

    urlpatterns += upload_paths("<str:code>/import/villages/", VILLAGES_UPLOAD, "admin")

The URL's unit code is the job's scope (`{"unit": code}`): the spec's `context` resolves
it for the user before anything is stored (404 outside what they may do, as for a missing
unit) and again in the worker, for the job's user. The file becomes an `ImportJob`
(`job_create`), checked without writing in the memory-capped worker (`job_run`), and the
user lands on the job page (`imports:job`): the preview with its changes per field, the
confirm step, the located problems and their error workbook.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ketnghia.core.errors import KetnghiaError
from ketnghia.core.forms import BootstrapForm
from ketnghia.core.gate import gate
from ketnghia.core.outputs import xlsx_set
from ketnghia.imports.jobs import job_create, job_run
from ketnghia.imports.mark import Mark
from ketnghia.imports.readers import CSV_SUFFIXES, XLSX_SUFFIXES
from ketnghia.imports.spec import ImportSpec

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DIRECTORY = "imports/uploads"
DATA_SHEET = "Dữ liệu"


@dataclass(frozen=True)
class Upload:
    """A spec taken from the web: its page's title and text, its route's name (its
    template's is the same with `_template`), the template file's name, and the page it is
    reached from (`back(code)`)."""

    spec: ImportSpec[Any, Any, Any, Any]
    title: str | Promise  # lazily translated
    intro: str | Promise
    url_name: str
    file_stem: str
    back: Callable[[str], str]


class SpecUploadForm(BootstrapForm):
    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"))


def _context_or_404(request: HttpRequest, upload: Upload, scope: dict[str, Any]) -> Any:
    """Return the spec's context of `scope` for the user; 404 when they may not reach it."""
    try:
        return upload.spec.context(
            actor=request.user, scope=scope, mark=Mark(), file_name=upload.file_stem
        )
    except KetnghiaError as error:
        raise Http404(str(error)) from error


def _has_template(spec: ImportSpec[Any, Any, Any, Any]) -> bool:
    return type(spec).template is not ImportSpec.template


def spec_upload(request: HttpRequest, code: str, upload: Upload) -> HttpResponse:
    """Show a spec's upload form; take a file and send the user to its job page."""
    scope = {"unit": code}
    unit = _context_or_404(request, upload, scope)
    form = SpecUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            if PurePath(uploaded.name or "").suffix.lower() not in CSV_SUFFIXES | XLSX_SUFFIXES:
                form.add_error("file", _("Upload a .csv or .xlsx file."))
            else:
                try:
                    job = job_create(
                        spec=upload.spec,
                        uploaded_file=uploaded,
                        scope=scope,
                        actor=request.user,
                        directory=DIRECTORY,
                    )
                except KetnghiaError as error:
                    form.add_problems(error)
                else:
                    job_run(job)
                    return HttpResponseRedirect(reverse("imports:job", args=[job.key]))
    context = {
        "upload": upload,
        "unit": unit,
        "code": code,
        "form": form,
        "action": reverse(upload.url_name, args=[code]),
        "template_url": reverse(f"{upload.url_name}_template", args=[code]),
        "back_url": upload.back(code),
        "fields": upload.spec.fields,
    }
    return render(request, "imports/upload.html", context, status=status)


def spec_template(request: HttpRequest, code: str, upload: Upload) -> HttpResponse:
    """Download the file to fill in: the spec's own template, else its columns' headers."""
    context = _context_or_404(request, upload, {"unit": code})
    spec = upload.spec
    content = spec.template(context) if _has_template(spec) else blank_template(spec)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{upload.file_stem}-{code}.xlsx"'
    return response


def upload_paths(route: str, upload: Upload, rule: str) -> list[URLPattern]:
    """Route `upload`'s page at `route` (ending in "/", holding `<str:code>`) and its template
    at the route's `template.xlsx`, both under the gate rule `rule`; named by `url_name`."""
    name, extra = upload.url_name.partition(":")[2], {"upload": upload}
    return [
        path(route, gate(rule)(spec_upload), extra, name=name),
        path(f"{route}template.xlsx", gate(rule)(spec_template), extra, name=f"{name}_template"),
    ]


def blank_template(spec: ImportSpec[Any, Any, Any, Any]) -> bytes:
    """Return a workbook of one sheet holding the spec's column headers (the required ones
    marked "(*)", which the header matching ignores), each header's help in its note."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(DATA_SHEET)
    bold = Font(bold=True)
    cells = []
    for index, field in enumerate(spec.fields):
        cell = xlsx_set(WriteOnlyCell(sheet), field.header + (" (*)" if field.required else ""))
        cell.font = bold
        if field.help:
            cell.comment = Comment(field.help, "ketnghia")
        cells.append(cell)
        sheet.column_dimensions[get_column_letter(index + 1)].width = max(14, len(field.header) + 6)
    sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
