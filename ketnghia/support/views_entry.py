"""Support pages that write: new documents (with their file), funds, ledger entries and
packages, and a cycle's delivery import (template, field form, upload as an `ImportJob`).

Thin: the gate's edit scope chooses what may be picked; the service checks meaning and
reach again, and its Vietnamese problems are shown on the fields they name.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from ketnghia.core import gate
from ketnghia.core.errors import InvalidInput, KetnghiaError, NotFound
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports.jobs import job_create, job_run
from ketnghia.imports.readers import CSV_SUFFIXES, XLSX_SUFFIXES
from ketnghia.programs.models import Program
from ketnghia.programs.selectors import program_choices
from ketnghia.support import rules, selectors, services
from ketnghia.support.delivery_import.pipeline import DELIVERIES, OPEN_STATES
from ketnghia.support.delivery_import.template import delivery_template
from ketnghia.support.delivery_import.xlsform import delivery_xlsform
from ketnghia.support.forms import (
    DeliveryUploadForm,
    DocumentForm,
    FundForm,
    LedgerEntryForm,
    PackageForm,
)
from ketnghia.support.models import Cycle, EntryKind
from ketnghia.twinning.models import Organisation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_DIRECTORY = "imports/support"


def _edit_scope(request: HttpRequest) -> gate.UnitScope:
    scope = gate.scope_for(request.user, gate.Action.EDIT)
    if scope.is_empty:
        raise Http404
    return scope


def _units(scope: gate.UnitScope, *levels: str) -> QuerySet[Unit]:
    return scope.filter(
        Unit.objects.filter(level__in=levels, valid_to__isnull=True), "path"
    ).order_by("path")


def _page(request: HttpRequest, form: Any, title: str, status: int = 200, **extra: Any):
    context = {"form": form, "title": title, "tab": extra.pop("tab", ""), **extra}
    return render(request, "support/entry.html", context, status=status)


def _saved(request: HttpRequest, message: str, name: str, program: Any = None):
    messages.success(request, message)
    url = reverse(name)
    return HttpResponseRedirect(f"{url}?program={program.code}" if program else url)


@gate.gate("units.edit")
def document_new(request: HttpRequest) -> HttpResponse:
    """Record a legal document of a program, with its file."""
    scope = _edit_scope(request)
    form = DocumentForm(
        request.POST or None,
        request.FILES or None,
        programs=Program.objects.filter(
            pk__in=[p.pk for p in program_choices(scope=request.scope)]
        ),
        units=_units(scope, UnitLevel.PROVINCE, UnitLevel.DISTRICT),
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_create(actor=request.user, **form.cleaned_data)
        except (InvalidInput, NotFound) as error:
            form.add_problems(error)
        else:
            return _saved(request, _("Document recorded."), "support:documents", document.program)
    status = 400 if request.method == "POST" else 200
    return _page(request, form, _("New legal document"), status, tab="documents", multipart=True)


@gate.gate("units.edit")
def fund_new(request: HttpRequest) -> HttpResponse:
    """Open a fund: what a document gives in a year from a source."""
    scope = _edit_scope(request)
    form = FundForm(
        request.POST or None,
        documents=selectors.document_list_for(scope=request.scope),
        units=_units(scope, UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE),
        organisations=Organisation.objects.order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.fund_create(actor=request.user, **form.cleaned_data)
        except (InvalidInput, NotFound) as error:
            form.add_problems(error)
        else:
            messages.success(request, _("Fund opened: add its allocation."))
            return HttpResponseRedirect(reverse("support:fund_entry", args=[fund.pk]))
    status = 400 if request.method == "POST" else 200
    return _page(request, form, _("New fund"), status, tab="funds")


@gate.gate("units.edit")
def fund_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Append an allocation or an adjustment (with its reason) to a fund's ledger."""
    scope = _edit_scope(request)
    try:
        fund = selectors.fund_get_for(scope=scope, pk=pk)
    except NotFound:
        raise Http404 from None
    form = LedgerEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        amount = rules.parse_money(data["amount"])
        write = (
            services.fund_allocate if data["kind"] == EntryKind.ALLOCATION else services.fund_adjust
        )
        try:
            write(
                fund=fund,
                amount=amount,
                entered_on=data["entered_on"],
                reason=data["reason"],
                actor=request.user,
            )
        except (InvalidInput, NotFound) as error:
            form.add_problems(error)
        else:
            return _saved(request, _("Ledger entry added."), "support:funds", fund.document.program)
    status = 400 if request.method == "POST" else 200
    figures = selectors.fund_figures(fund_ids=[fund.pk])[fund.pk]
    return _page(
        request,
        form,
        _("Fund ledger: %(fund)s") % {"fund": fund},
        status,
        tab="funds",
        figures=figures,
        entries=list(fund.entries.order_by("entered_on", "id")),
    )


@gate.gate("units.edit")
def package_new(request: HttpRequest) -> HttpResponse:
    """Define a support package: what each recipient gets and the target rule that picks them."""
    _edit_scope(request)
    form = PackageForm(
        request.POST or None, documents=selectors.document_list_for(scope=request.scope)
    )
    if request.method == "POST" and form.is_valid():
        try:
            package = services.package_create(actor=request.user, **form.cleaned_data)
        except (InvalidInput, NotFound) as error:
            form.add_problems(error)
        else:
            return _saved(
                request, _("Package recorded."), "support:packages", package.document.program
            )
    status = 400 if request.method == "POST" else 200
    return _page(request, form, _("New support package"), status, tab="packages")


# --- the delivery import --------------------------------------------------------------------


def _cycle_to_edit(request: HttpRequest, pk: int) -> Cycle:
    try:
        return selectors.cycle_get_for(scope=_edit_scope(request), pk=pk)
    except NotFound:
        raise Http404 from None


def _download(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@gate.gate("units.edit")
def deliveries_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The cycle's delivery template, pre-filled with its recipients."""
    cycle = _cycle_to_edit(request, pk)
    return _download(delivery_template(cycle), f"cap-phat-dot-{cycle.pk}.xlsx")


@gate.gate("units.edit")
def deliveries_xlsform(request: HttpRequest, pk: int) -> HttpResponse:
    """The cycle's field form (XLSForm) for ODK Central or KoBoToolbox."""
    cycle = _cycle_to_edit(request, pk)
    return _download(delivery_xlsform(cycle), f"bieu-mau-cap-phat-dot-{cycle.pk}.xlsx")


@gate.gate("units.edit")
def deliveries_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a filled template or the field form's export: checked in the worker, then its
    preview on the job page (`imports:job`), confirmed there."""
    cycle = _cycle_to_edit(request, pk)
    form = DeliveryUploadForm(request.POST or None, request.FILES or None)
    context = {"cycle": cycle, "form": form, "open": cycle.state in OPEN_STATES, "tab": "cycles"}
    if request.method != "POST":
        return render(request, "support/deliveries_import.html", context)
    if form.is_valid():
        uploaded = form.cleaned_data["file"]
        suffix = PurePath(uploaded.name or "").suffix.lower()
        if suffix not in (*CSV_SUFFIXES, *XLSX_SUFFIXES):
            form.add_error("file", _("Upload a .csv or .xlsx file."))
        else:
            try:
                job = job_create(
                    spec=DELIVERIES,
                    uploaded_file=uploaded,
                    scope={"cycle": cycle.pk},
                    actor=request.user,
                    directory=UPLOAD_DIRECTORY,
                )
            except KetnghiaError as error:
                form.add_problems(error)
            else:
                job_run(job)
                return HttpResponseRedirect(reverse("imports:job", args=[job.key]))
    return render(request, "support/deliveries_import.html", context, status=400)
