"""Census pages: a commune's census by year, one round with its procedure, one household.

Reads go through selectors with the scope the gate hands the view; writes through
`ketnghia.census.services`. A domain error is shown in the page beside the form that caused
it (status 400), never as a server error; nothing is written when one is raised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from ketnghia.census import selectors, services, workflow
from ketnghia.census.forms import (
    AdvanceForm,
    BootstrapForm,
    ComplaintForm,
    ImportForm,
    MeetingForm,
    OverrideForm,
    PostingForm,
    RecomputeForm,
    ResolveForm,
    RoundCreateForm,
)
from ketnghia.census.importing.template import census_template, census_template_csv
from ketnghia.census.models import CensusRound, RoundState, Status
from ketnghia.census.round_extras import round_extras
from ketnghia.census.rules import Transition, statuses_of
from ketnghia.census.tasks import (
    census_import_confirm,
    census_import_enqueue,
    census_import_job_errors_workbook,
)
from ketnghia.census.views_households import entry_filters, with_village_names
from ketnghia.core import gate
from ketnghia.core.attachments import attachment_url
from ketnghia.core.errors import InvalidInput, KetnghiaError, NotFound
from ketnghia.core.formatting import rate
from ketnghia.core.personal_data import Kind, disclosure_open
from ketnghia.geo import selectors as geo_selectors
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households import selectors as household_selectors
from ketnghia.households.views import commune_villages
from ketnghia.imports.jobs import job_check
from ketnghia.poverty.selectors import standard_get, standard_registry
from ketnghia.twinning.selectors import in_charge_on

PAGE_SIZE = 50

# The columns of the transitions table, in the order officers read them.
TRANSITION_LABELS: dict[str, Any] = {
    Transition.REMAINED_POOR: gettext_lazy("Remained poor"),
    Transition.EXITED_POVERTY: gettext_lazy("Exited poverty"),
    Transition.NEWLY_POOR: gettext_lazy("Newly poor"),
    Transition.FELL_BACK: gettext_lazy("Fell back into poverty"),
    Transition.NEW_HOUSEHOLD: gettext_lazy("New household"),
    Transition.LEFT: gettext_lazy("Left (moved or dissolved)"),
}


# --- Lookups: the same 404 for missing and forbidden ----------------------------------------


def _statuses_of(code: str) -> frozenset[str]:
    """Return the statuses standard `code` has; every status for an unknown standard."""
    standard = _standard_or_none(code)
    return statuses_of(standard) if standard else frozenset(Status.values)


def _commune_or_404(request: HttpRequest, code: str) -> Unit:
    try:
        unit = geo_selectors.unit_get_for(scope=request.scope, code=code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if unit.level != UnitLevel.COMMUNE:
        raise Http404(_("Unit %(code)s not found.") % {"code": code})
    return unit


def _requested_revision(request: HttpRequest) -> int | None:
    raw = request.POST.get("revision") or request.GET.get("revision")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404(_("No such revision.")) from None


def _round_or_404(request: HttpRequest, commune: str, year: int) -> CensusRound:
    try:
        return selectors.round_get_for(
            scope=request.scope,
            commune_code=commune,
            year=year,
            revision=_requested_revision(request),
        )
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _round_url(census_round: CensusRound, **params: Any) -> str:
    url = reverse(
        "census:round_detail",
        kwargs={"commune": census_round.commune.code, "year": census_round.year},
    )
    params = {"revision": census_round.revision, **params}
    return f"{url}?{urlencode(params)}"


def _htmx_target(request: HttpRequest) -> str | None:
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return None
    return htmx.target


# --- The commune's census ---------------------------------------------------------------


@dataclass(frozen=True)
class YearRow:
    """A census year as the commune page shows it: the summary and the standard before it."""

    summary: selectors.YearSummary
    previous_standard: str | None

    @property
    def by_status(self) -> list[tuple[str, int | None, Decimal | None]]:
        """Return (status, households, share in percent) for every status, poor first.

        A status the year's standard does not have (near-poor before 2011, average before
        2022) gives (status, None, None): shown "—", not "0 (0,0 %)".
        """
        total = self.summary.households
        known = _statuses_of(self.summary.round.standard_code)
        return [
            (value, count, rate(count, total)) if value in known else (value, None, None)
            for value in Status.values
            for count in (self.summary.counts[value],)
        ]

    @property
    def transitions(self) -> list[tuple[str, int]] | None:
        moves = self.summary.transitions
        if moves is None:
            return None
        return [(key, moves[key]) for key in TRANSITION_LABELS]


def _commune_context(
    request: HttpRequest, commune: Unit, *, create_form: RoundCreateForm | None = None
) -> dict[str, Any]:
    summaries = selectors.commune_census_summary(scope=request.scope, commune=commune)
    rows = []
    previous: str | None = None
    for summary in summaries:
        rows.append(YearRow(summary, previous))
        previous = summary.round.standard_code
    may_edit = gate.reaches(request.user, gate.Action.EDIT, commune.path)
    standards = standard_registry()
    years = [s.round.year for s in reversed(summaries)]
    return {
        "commune": commune,
        "rows": list(reversed(rows)),
        "statuses": Status.choices,
        "transition_labels": list(TRANSITION_LABELS.items()),
        "recompute_form": (
            RecomputeForm(years=years, standards=standards, auto_id="recompute_%s")
            if summaries
            else None
        ),
        "may_edit": may_edit,
        "villages": commune_villages(request, commune),
        "create_form": (
            (create_form or RoundCreateForm(standards=standards, auto_id="create_%s"))
            if may_edit
            else None
        ),
    }


@gate.gate("census.view")
def commune_census(request: HttpRequest, commune: str) -> HttpResponse:
    """Show a commune's census rounds by year: state, counts, rates, transitions, breaks."""
    unit = _commune_or_404(request, commune)
    return render(request, "census/commune.html", _commune_context(request, unit))


@gate.gate("census.edit")
@require_POST
def round_create(request: HttpRequest, commune: str) -> HttpResponse:
    """Open the census round of a year for the commune."""
    unit = _commune_or_404(request, commune)
    form = RoundCreateForm(request.POST, standards=standard_registry(), auto_id="create_%s")
    if form.is_valid():
        try:
            census_round = services.census_round_create(
                commune=unit,
                year=form.cleaned_data["year"],
                standard_code=form.cleaned_data["standard"],
                actor=request.user,
            )
        except InvalidInput as exc:
            form.add_problems(exc)
        else:
            messages.success(
                request,
                _("The %(year)s census round is open.") % {"year": census_round.year},
            )
            return HttpResponseRedirect(_round_url(census_round))
    context = _commune_context(request, unit, create_form=form)
    return render(request, "census/commune.html", context, status=400)


@gate.gate("census.view")
@vary_on_headers("HX-Request", "HX-Target")
def round_recompute(request: HttpRequest, commune: str) -> HttpResponse:
    """Show a round's counts as another standard would give them; the official result stays."""
    unit = _commune_or_404(request, commune)
    rounds = selectors.commune_census_summary(scope=request.scope, commune=unit)
    by_year = {summary.round.year: summary for summary in rounds}
    form = RecomputeForm(
        request.GET or None, years=sorted(by_year, reverse=True), standards=standard_registry()
    )
    result: dict[str, Any] | None = None
    if form.is_valid():
        summary = by_year[form.cleaned_data["year"]]
        try:
            standard = standard_get(form.cleaned_data["standard"])
            counts = selectors.round_recompute(census_round=summary.round, standard=standard)
        except KetnghiaError as exc:
            form.add_problems(exc)
        else:
            result = {
                "summary": summary,
                "standard": standard,
                "rows": [
                    (value, label, summary.counts[value], counts[value])
                    for value, label in Status.choices
                ],
                "households": sum(counts.values()),
            }
    context = {"commune": unit, "form": form, "result": result}
    if _htmx_target(request) == "recompute-result":
        return render(request, "census/_recompute_result.html", context)
    return render(request, "census/recompute.html", context)


# --- One round ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    state: str
    label: str
    done: bool
    current: bool


def _steps(census_round: CensusRound) -> list[Step]:
    position = workflow.ORDER.index(census_round.state)
    return [
        Step(state, str(RoundState(state).label), index <= position, index == position)
        for index, state in enumerate(workflow.ORDER)
    ]


def _entries_context(request: HttpRequest, census_round: CensusRound) -> dict[str, Any]:
    query = request.GET.get("q", "").strip()
    # Filters by village and status (census.views_households.entry_filters: names, choices).
    filters = entry_filters(request, census_round)
    entries = selectors.entry_search_for(
        scope=request.scope,
        census_round=census_round,
        query=query,
        village_code=filters["village"],
        status=filters["status"],
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_village_names(page.object_list, filters["village_names"])
    return {"round": census_round, "query": query, "page": page, **filters}


def _round_context(
    request: HttpRequest, census_round: CensusRound, bound: dict[str, BootstrapForm]
) -> dict[str, Any]:
    scope = request.scope
    may_edit = gate.reaches(request.user, gate.Action.EDIT, census_round.unit_path)
    frozen = workflow.is_frozen(census_round.state)
    editable = may_edit and not frozen
    revisions = selectors.round_year_revisions(scope=scope, census_round=census_round)
    counts = selectors.status_counts(census_round=census_round)
    households = sum(counts.values())
    complaints = list(selectors.complaint_list_for(scope=scope, census_round=census_round))

    def form(key: str, make: Callable[[], BootstrapForm]) -> BootstrapForm | None:
        return bound.get(key) or (make() if editable else None)

    return {
        "round": census_round,
        "commune": census_round.commune,
        "standard": _standard_or_none(census_round.standard_code),
        "revisions": revisions,
        "is_latest": bool(revisions) and revisions[-1].pk == census_round.pk,
        "counts": [
            (value, label, counts[value] if value in known else None)
            for value, label in Status.choices
            for known in (_statuses_of(census_round.standard_code),)
        ],
        "households": households,
        "poverty_rate": rate(counts[Status.POOR], households),
        "steps": _steps(census_round),
        "next_step": selectors.round_next_step(census_round=census_round, user=request.user),
        "advance_errors": bound["advance"].non_field_errors() if "advance" in bound else [],
        "may_edit": may_edit,
        "frozen": frozen,
        "editable": editable,
        "may_revise": may_edit
        and frozen
        and not any(r.supersedes_id == census_round.pk for r in revisions),
        "complaints": [
            (c, bound.get(f"resolve-{c.pk}") or (ResolveForm() if editable else None))
            for c in complaints
        ],
        "minutes_url": attachment_url(census_round.meeting_minutes),
        "meeting_form": form(
            "meeting",
            lambda: MeetingForm(
                initial={
                    "meeting_date": census_round.meeting_date,
                    "participants": census_round.meeting_participants,
                    "agreeing": census_round.meeting_agreeing,
                }
            ),
        ),
        "posting_form": form(
            "posting",
            lambda: PostingForm(
                initial={"start": census_round.posting_start, "end": census_round.posting_end}
            ),
        ),
        "complaint_form": form("complaint", ComplaintForm),
        "override_form": form(
            "override",
            lambda: OverrideForm(initial={"household_code": request.GET.get("override", "")}),
        ),
        "import_form": form("import", ImportForm),
        "import_jobs": (
            selectors.import_job_list_for(scope=scope, census_round=census_round)
            if may_edit
            else []
        ),
        **_entries_context(request, census_round),
        **round_extras(request, census_round, bound),
    }


def _standard_or_none(code: str) -> Any:
    try:
        return standard_get(code)
    except NotFound:
        return None


def _render_round(
    request: HttpRequest,
    census_round: CensusRound,
    bound: dict[str, BootstrapForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _round_context(request, census_round, bound or {})
    return render(request, "census/round.html", context, status=status)


@gate.gate("census.view")
@vary_on_headers("HX-Request", "HX-Target")
def round_detail(request: HttpRequest, commune: str, year: int) -> HttpResponse:
    """Show one round: its procedure, what the user may do next, its households."""
    census_round = _round_or_404(request, commune, year)
    if _htmx_target(request) == "entries":
        return render(request, "census/_entries.html", _entries_context(request, census_round))
    return _render_round(request, census_round)


def _write(
    request: HttpRequest,
    census_round: CensusRound,
    key: str,
    form: BootstrapForm,
    action: Callable[[dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """Run `action` with the form's data; redirect with `done`, or show the page with errors."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except KetnghiaError as exc:
            form.add_problems(exc)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(_round_url(census_round) + f"#{key}")
    return _render_round(request, census_round, {key: form}, status=400)


@gate.gate("census.edit")
@require_POST
def round_advance(request: HttpRequest, commune: str, year: int) -> HttpResponse:
    """Move the round one step along the procedure."""
    census_round = _round_or_404(request, commune, year)
    return _write(
        request,
        census_round,
        "advance",
        AdvanceForm(request.POST),
        lambda data: services.census_round_advance(
            census_round=census_round, target=data["target"], actor=request.user
        ),
        _("The round moved to the next step."),
    )


@gate.gate("census.edit")
@require_POST
def round_meeting(request: HttpRequest, commune: str, year: int) -> HttpResponse:
    """Record the village meeting (date, participants, agreeing, minutes)."""
    census_round = _round_or_404(request, commune, year)
    return _write(
        request,
        census_round,
        "meeting",
        MeetingForm(request.POST, request.FILES),
        lambda data: services.census_round_record_meeting(
            census_round=census_round,
            meeting_date=data["meeting_date"],
            participants=data["participants"],
            agreeing=data["agreeing"],
            minutes=data["minutes"] or None,
            actor=request.user,
        ),
        _("The village meeting was recorded."),
    )


@gate.gate("census.edit")
@require_POST
def round_posting(request: HttpRequest, commune: str, year: int) -> HttpResponse:
    """Record the dates the draft list was posted."""
    census_round = _round_or_404(request, commune, year)
    return _write(
        request,
        census_round,
        "posting",
        PostingForm(request.POST),
        lambda data: services.census_round_record_posting(
            census_round=census_round, start=data["start"], end=data["end"], actor=request.user
        ),
        _("The posting dates were recorded."),
    )


@gate.gate("census.edit")
@require_POST
def complaint_record(request: HttpRequest, commune: str, year: int) -> HttpResponse:
    """Record a complaint received while the list was posted."""
    census_round = _round_or_404(request, commune, year)

    def record(data: dict[str, Any]) -> Any:
        household = None
        if data["household_code"]:
            household = selectors.entry_get_for(
                scope=request.scope,
                census_round=census_round,
                household_code=data["household_code"],
            ).household
        return services.complaint_record(
            census_round=census_round,
            received_on=data["received_on"],
            text=data["text"],
            household=household,
            actor=request.user,
        )

    return _write(
        request,
        census_round,
        "complaint",
        ComplaintForm(request.POST),
        record,
        _("The complaint was recorded."),
    )


@gate.gate("census.edit")
@require_POST
def complaint_resolve(request: HttpRequest, commune: str, year: int, pk: int) -> HttpResponse:
    """Record how a complaint was resolved."""
    census_round = _round_or_404(request, commune, year)
    try:
        complaint = selectors.complaint_get_for(
            scope=request.scope, census_round=census_round, pk=pk
        )
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return _write(
        request,
        census_round,
        f"resolve-{complaint.pk}",
        ResolveForm(request.POST),
        lambda data: services.complaint_resolve(
            complaint=complaint,
            resolution=data["resolution"],
            resolved_on=data["resolved_on"],
            actor=request.user,
        ),
        _("The complaint was resolved."),
    )


@gate.gate("census.edit")
@require_POST
def entry_override(request: HttpRequest, commune: str, year: int) -> HttpResponse:
    """Set a household's status by hand, with a reason."""
    census_round = _round_or_404(request, commune, year)

    def override(data: dict[str, Any]) -> Any:
        entry = selectors.entry_get_for(
            scope=request.scope, census_round=census_round, household_code=data["household_code"]
        )
        return services.census_entry_override(
            entry=entry, status=data["status"], reason=data["reason"], actor=request.user
        )

    return _write(
        request,
        census_round,
        "override",
        OverrideForm(request.POST),
        override,
        _("The household's status was set by hand."),
    )


@gate.gate("census.edit")
@require_POST
def round_revise(request: HttpRequest, commune: str, year: int) -> HttpResponse:
    """Open a revision of an approved round; the approved one stays the official figure."""
    census_round = _round_or_404(request, commune, year)
    try:
        revision = services.census_round_revise(census_round=census_round, actor=request.user)
    except InvalidInput as exc:
        form = AdvanceForm()
        form.add_problems(exc)
        return _render_round(request, census_round, {"advance": form}, status=400)
    messages.success(request, _("Revision %(revision)s is open.") % {"revision": revision.revision})
    return HttpResponseRedirect(_round_url(revision))


# --- Import: the template to fill in, the upload and its progress -------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@gate.gate("census.edit")
def round_template(request: HttpRequest, commune: str, year: int) -> HttpResponse:
    """Download the round's census template (.xlsx, or .csv with ?format=csv), pre-filled."""
    census_round = _round_or_404(request, commune, year)
    name = f"ra-soat-{census_round.commune.code}-{census_round.year}"
    as_csv = request.GET.get("format") == "csv"
    try:
        with disclosure_open(
            user=request.user,
            output="census.template_csv" if as_csv else "census.template_xlsx",
            unit_path=census_round.unit_path,
            detail=str(census_round),
        ) as door:
            if as_csv:
                content = census_template_csv(census_round=census_round, disclosure=door)
                return _download(content, "text/csv; charset=utf-8", f"{name}.csv")
            content = census_template(census_round=census_round, disclosure=door)
    except KetnghiaError as exc:
        form = ImportForm()
        form.add_problems(exc)
        return _render_round(request, census_round, {"import": form}, status=400)
    return _download(content, XLSX, f"{name}.xlsx")


@gate.gate("census.edit")
@require_POST
def round_import(request: HttpRequest, commune: str, year: int) -> HttpResponse:
    """Upload a census file; a background task checks (dry run) or imports it."""
    census_round = _round_or_404(request, commune, year)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            census_import_enqueue(
                census_round=census_round,
                uploaded_file=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                actor=request.user,
            )
        except KetnghiaError as exc:
            form.add_problems(exc)
        else:
            return HttpResponseRedirect(_round_url(census_round) + "#import")
    return _render_round(request, census_round, {"import": form}, status=400)


def _job_or_404(request: HttpRequest, census_round: CensusRound, pk: int) -> Any:
    try:
        return selectors.import_job_get_for(scope=request.scope, census_round=census_round, pk=pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@gate.gate("census.edit")
def import_progress(request: HttpRequest, commune: str, year: int, job: int) -> HttpResponse:
    """Return one upload's progress bar and, once it ends, its report (htmx polls every second)."""
    census_round = _round_or_404(request, commune, year)
    found = job_check(_job_or_404(request, census_round, job))
    context = {"round": census_round, "commune": census_round.commune, "job": found}
    return render(request, "census/_import_job.html", context)


@gate.gate("census.edit")
def import_errors(request: HttpRequest, commune: str, year: int, job: int) -> HttpResponse:
    """Download the error workbook of a refused upload: its problems and the faulty rows."""
    census_round = _round_or_404(request, commune, year)
    found = _job_or_404(request, census_round, job)
    if not found.report.get("errors"):
        raise Http404(_("This import has no errors to download."))
    with disclosure_open(
        user=request.user,
        output="census.import_errors_xlsx",
        unit_path=census_round.unit_path,
        detail=found.file_name,
    ) as door:
        content = census_import_job_errors_workbook(
            job=found, census_round=census_round, disclosure=door
        )
    return _download(content, XLSX, f"loi-{found.pk}-{census_round.commune.code}.xlsx")


@gate.gate("census.edit")
@require_POST
def import_confirm(request: HttpRequest, commune: str, year: int, job: int) -> HttpResponse:
    """Import a checked (or refused) upload for real, confirming its change preview."""
    census_round = _round_or_404(request, commune, year)
    found = _job_or_404(request, census_round, job)
    try:
        census_import_confirm(job=found, census_round=census_round, actor=request.user)
    except KetnghiaError as exc:
        form = ImportForm()
        form.add_problems(exc)
        return _render_round(request, census_round, {"import": form}, status=400)
    return HttpResponseRedirect(_round_url(census_round) + "#import")


# --- One household ------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    member: Any
    personal_id: str


@gate.gate("census.view")
def household_detail(request: HttpRequest, commune: str, code: str) -> HttpResponse:
    """Show a household: members (personal IDs masked unless the gate allows), statuses, history."""
    try:
        household = household_selectors.household_get_for(
            scope=request.scope, commune_code=commune, code=code
        )
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    with disclosure_open(
        user=request.user, output="census.household_page", household=household
    ) as door:
        may_see_ids = door.may_see(household.unit_path)
        members = [
            MemberRow(
                member,
                door.show(
                    member.personal_id,
                    kind=Kind.PERSONAL_ID,
                    path=household.unit_path,
                    subject=household.pk,
                ),
            )
            for member in household_selectors.member_list(household=household)
        ]
    context = {
        "household": household,
        "commune": household.commune,
        "members": members,
        "may_see_ids": may_see_ids,
        "may_edit": gate.reaches(request.user, gate.Action.EDIT, household.unit_path),
        "entries": list(selectors.household_history(household=household)),
        "changes": household_selectors.household_changes(household=household),
        "in_charge": in_charge_on(
            scope=request.scope, on=timezone.localdate(), household=household
        ),
    }
    return render(request, "census/household.html", context)
