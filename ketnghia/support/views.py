"""Support pages: documents, funds, packages, delivery cycles and their workflow, the lists.

Views are thin: the gate's scope in, a selector or one service call, a page out. Missing and
forbidden records are the same 404.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ketnghia.core import gate
from ketnghia.core.attachments import attachment_url
from ketnghia.core.errors import InvalidInput, NotFound
from ketnghia.core.models import holds_demo_data
from ketnghia.core.personal_data import disclosure_open
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.models import Household
from ketnghia.programs.models import Program
from ketnghia.programs.selectors import program_choices, program_for
from ketnghia.support import documents as lists
from ketnghia.support import rules, selectors, services, targeting
from ketnghia.support.forms import (
    ApproveForm,
    CycleForm,
    DeliverForm,
    ReasonForm,
    RecipientForm,
    SignedListForm,
)
from ketnghia.support.models import Cycle, CycleState, Delivery, FundSource, SignedList

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _program(request: HttpRequest) -> tuple[Program | None, list[Program]]:
    programs = program_choices(scope=request.scope)
    try:
        return program_for(
            scope=request.scope, code=request.GET.get("program") or None, programs=programs
        ), programs
    except NotFound:
        return None, programs


def _context(request: HttpRequest, tab: str, **extra: Any) -> dict[str, Any]:
    program, programs = _program(request)
    # Whether the user may record documents, funds and packages (the pages link their forms).
    may_edit = not gate.scope_for(request.user, gate.Action.EDIT).is_empty
    return {"tab": tab, "program": program, "programs": programs, "may_edit": may_edit, **extra}


@gate.gate("units.view")
def documents(request: HttpRequest) -> HttpResponse:
    """The program's legal documents, with their funds and packages."""
    context = _context(request, "documents")
    rows = (
        list(selectors.document_list_for(scope=request.scope, program=context["program"]))
        if context["program"]
        else []
    )
    context["documents"] = [(d, attachment_url(d.attachment)) for d in rows]
    return render(request, "support/documents.html", context)


@dataclass(frozen=True)
class SourceYear:
    source_label: str
    year: int
    figures: rules.FundFigures


@gate.gate("units.view")
def funds(request: HttpRequest) -> HttpResponse:
    """Plan vs committed vs delivered: per fund, and by source and year."""
    context = _context(request, "funds")
    report = selectors.fund_report(
        selectors.fund_list_for(scope=request.scope, program=context["program"])
        if context["program"]
        else []
    )
    labels = dict(FundSource.choices)
    context["report"] = report
    context["by_source"] = [(labels[s], f) for s, f in report.by_source.items()]
    context["by_source_year"] = [
        SourceYear(str(labels[s]), y, f) for (s, y), f in report.by_source_year.items()
    ]
    return render(request, "support/funds.html", context)


@gate.gate("units.view")
def packages(request: HttpRequest) -> HttpResponse:
    """The support packages of the program, with their target rules."""
    context = _context(request, "packages")
    found = (
        list(selectors.package_list_for(scope=request.scope, program=context["program"]))
        if context["program"]
        else []
    )
    context["packages"] = [
        (p, targeting.describe_rule(p.target_rule, level=p.recipient_level)) for p in found
    ]
    return render(request, "support/packages.html", context)


def _cycle_form(request: HttpRequest, data: Any = None) -> CycleForm | None:
    edit = gate.scope_for(request.user, gate.Action.EDIT)
    if edit.is_empty:
        return None
    communes = edit.filter(Unit.objects.filter(level=UnitLevel.COMMUNE), "path").order_by("path")
    return CycleForm(
        data,
        packages=selectors.package_list_for(scope=request.scope),
        funds=selectors.fund_list_for(scope=gate.EVERYTHING).filter(
            selectors._inside_or_above(edit, "unit_path")
        ),
        communes=communes,
    )


@gate.gate("units.view")
def cycles(request: HttpRequest) -> HttpResponse:
    """The delivery cycles in the user's communes; an editor opens a new one here."""
    context = _context(request, "cycles")
    status = 200
    form = _cycle_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                cycle = services.cycle_create(actor=request.user, **form.cleaned_data)
            except (InvalidInput, NotFound) as error:
                form.add_problems(error)
            else:
                messages.success(request, _("Cycle opened: propose its recipients."))
                return HttpResponseRedirect(reverse("support:cycle", args=[cycle.pk]))
        status = 400
    context["cycles"] = (
        list(selectors.cycle_list_for(scope=request.scope, program=context["program"]))
        if context["program"]
        else []
    )
    context["form"] = form
    return render(request, "support/cycles.html", context, status=status)


@dataclass
class VillageGroup:
    village: Unit
    deliveries: list[Delivery]
    signed: SignedList | None
    signed_url: str


def _cycle(request: HttpRequest, pk: int) -> Cycle:
    try:
        return selectors.cycle_get_for(scope=request.scope, pk=pk)
    except NotFound:
        raise Http404 from None


def _render_cycle(
    request: HttpRequest, cycle: Cycle, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    deliveries = list(selectors.delivery_list_for(scope=request.scope, cycle=cycle))
    by_village: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in deliveries:
        by_village[delivery.unit_id].append(delivery)
    units = {d.unit_id: d.unit for d in deliveries}
    signed = {s.village_id: s for s in cycle.signed_lists.select_related("attachment")}
    groups = [
        VillageGroup(
            units[unit_id],
            rows,
            signed.get(unit_id),
            attachment_url(signed[unit_id].attachment) if unit_id in signed else "",
        )
        for unit_id, rows in sorted(by_village.items(), key=lambda kv: units[kv[0]].path)
    ]
    may_edit = gate.reaches(request.user, gate.Action.EDIT, cycle.unit_path)
    district = cycle.commune.parent
    may_check = district is not None and gate.reaches(request.user, gate.Action.EDIT, district.path)
    forms = forms or {}
    today = timezone.localdate()
    context = {
        "tab": "cycles",
        "cycle": cycle,
        "groups": groups,
        "count": len(deliveries),
        "entitled": sum(d.entitled_value for d in deliveries),
        "delivered": sum(d.delivered_value or 0 for d in deliveries),
        "may_edit": may_edit,
        "editable": cycle.state in rules.EDITABLE_STATES,
        "may_check": may_check and cycle.prepared_by_id != request.user.pk,
        "states": CycleState,
        "recipient_form": forms.get("recipient") or RecipientForm(),
        "reason_form": forms.get("reason") or ReasonForm(),
        "approve_form": forms.get("approve") or ApproveForm(initial={"on": today}),
        "deliver_form": forms.get("deliver") or DeliverForm(initial={"delivered_on": today}),
        "signed_form": forms.get("signed") or SignedListForm(),
        "errors": forms.get("errors", []),
        "household_level": cycle.package.recipient_level == "household",
    }
    return render(request, "support/cycle.html", context, status=status)


@gate.gate("units.view")
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A cycle: its facts, state and workflow buttons, its recipients per village."""
    return _render_cycle(request, _cycle(request, pk))


@gate.gate("units.edit")
@require_POST
def recipient_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add one recipient by hand (outside the rule only with a reason)."""
    cycle = _cycle(request, pk)
    form = RecipientForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        household = None
        unit = None
        if data["household_code"]:
            household = Household.objects.filter(
                commune=cycle.commune, code=data["household_code"].strip()
            ).first()
        if data["village"]:
            unit = Unit.objects.filter(code=data["village"].strip()).first()
        try:
            services.delivery_add(
                cycle=cycle,
                household=household,
                unit=unit,
                quantity=data["quantity"],
                override_reason=data["override_reason"],
                actor=request.user,
            )
        except (InvalidInput, NotFound) as error:
            form.add_problems(error)
        else:
            messages.success(request, _("Recipient added."))
            return HttpResponseRedirect(reverse("support:cycle", args=[cycle.pk]))
    return _render_cycle(request, cycle, {"recipient": form}, status=400)


def _quantities(request: HttpRequest) -> dict[int, str]:
    found: dict[int, str] = {}
    for name, value in request.POST.items():
        if name.startswith("quantity-") and name[9:].isdigit() and value.strip():
            found[int(name[9:])] = value
    return found


def _notes(request: HttpRequest) -> dict[int, str]:
    return {
        int(name[5:]): value
        for name, value in request.POST.items()
        if name.startswith("note-") and name[5:].isdigit()
    }


@gate.gate("units.edit")
@require_POST
def cycle_action(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """Take one workflow step: propose, submit, approve, reject, deliver, reconcile, cancel."""
    cycle = _cycle(request, pk)
    actor = request.user
    forms: dict[str, Any] = {}
    try:
        if slug == "propose":
            count = services.cycle_propose(cycle=cycle, actor=actor)
            messages.success(
                request, _("%(count)s recipients proposed by the rule.") % {"count": count}
            )
        elif slug == "submit":
            services.cycle_submit(cycle=cycle, actor=actor)
            messages.success(request, _("Sent to the district for approval."))
        elif slug == "approve":
            form = ApproveForm(request.POST)
            forms["approve"] = form
            if not form.is_valid():
                raise InvalidInput(_("Give the date of the approval."))
            services.cycle_approve(cycle=cycle, actor=actor, on=form.cleaned_data["on"])
            messages.success(request, _("Cycle approved."))
        elif slug in {"reject", "cancel"}:
            form = ReasonForm(request.POST)
            forms["reason"] = form
            reason = form.data.get("reason", "")
            step = services.cycle_reject if slug == "reject" else services.cycle_cancel
            step(cycle=cycle, reason=reason, actor=actor)
            messages.success(request, _("Done."))
        elif slug == "deliver":
            form = DeliverForm(request.POST)
            forms["deliver"] = form
            if not form.is_valid():
                raise InvalidInput(_("Give the delivery date."))
            services.cycle_deliver(
                cycle=cycle,
                delivered_on=form.cleaned_data["delivered_on"],
                quantities=_quantities(request),
                actor=actor,
            )
            messages.success(request, _("Delivery recorded."))
        elif slug == "reconcile":
            services.cycle_reconcile(cycle=cycle, notes=_notes(request), actor=actor)
            messages.success(request, _("Cycle reconciled."))
        else:
            raise Http404
    except (InvalidInput, NotFound) as error:
        forms["errors"] = [str(p.message) for p in error.problems]
        return _render_cycle(request, _cycle(request, pk), forms, status=400)
    return HttpResponseRedirect(reverse("support:cycle", args=[cycle.pk]))


def _village_rows(request: HttpRequest, pk: int, village: str, output: str) -> Any:
    cycle = _cycle(request, pk)
    unit = Unit.objects.filter(code=village).first()
    if unit is None:
        raise Http404
    deliveries = list(
        selectors.delivery_list_for(scope=request.scope, cycle=cycle).filter(unit=unit)
    )
    if not deliveries:
        raise Http404
    with disclosure_open(user=request.user, output=output, unit_path=unit.path) as door:
        rows = lists.list_rows(cycle, deliveries, door)
    return cycle, unit, rows


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@gate.gate("units.view")
def list_docx(request: HttpRequest, pk: int, village: str) -> HttpResponse:
    """A village's delivery list to print, sign and scan (.docx, A4)."""
    cycle, unit, rows = _village_rows(request, pk, village, "support.delivery_list_docx")
    content = lists.delivery_list_docx(cycle, unit, rows, demo=holds_demo_data())
    return _download(content, DOCX, f"danh-sach-cap-phat-{cycle.pk}-{unit.code}.docx")


@gate.gate("units.view")
def list_xlsx(request: HttpRequest, pk: int, village: str) -> HttpResponse:
    """A village's delivery list as a workbook."""
    cycle, unit, rows = _village_rows(request, pk, village, "support.delivery_list_xlsx")
    content = lists.delivery_list_xlsx(cycle, unit, rows, demo=holds_demo_data())
    return _download(content, XLSX, f"danh-sach-cap-phat-{cycle.pk}-{unit.code}.xlsx")


@gate.gate("units.edit")
@require_POST
def signed_upload(request: HttpRequest, pk: int, village: str) -> HttpResponse:
    """Attach the scan of a village's signed list back to the cycle."""
    cycle = _cycle(request, pk)
    unit = Unit.objects.filter(code=village).first()
    form = SignedListForm(request.POST, request.FILES)
    if unit is None:
        raise Http404
    if form.is_valid():
        try:
            services.signed_list_attach(
                cycle=cycle,
                village=unit,
                uploaded_file=form.cleaned_data["file"],
                actor=request.user,
            )
        except (InvalidInput, NotFound) as error:
            form.add_problems(error)
        else:
            messages.success(request, _("Signed list attached."))
            return HttpResponseRedirect(reverse("support:cycle", args=[cycle.pk]))
    errors = [str(e) for errs in form.errors.values() for e in errs]
    return _render_cycle(request, cycle, {"signed": form, "errors": errors}, status=400)
