"""Network pages under /network/: coverage tables, a commune's network, people, proposals.

Every view declares its gate rule; records outside the user's scope answer 404, as missing
ones do. Who may record an activity and who may accept a proposal is decided per commune by
the gate (`reaches`) on top of the route's rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from ketnghia.census.models import CensusRound
from ketnghia.census.selectors import APPROVED_STATES
from ketnghia.core import gate
from ketnghia.core.errors import InvalidInput, NotFound
from ketnghia.core.outputs import xlsx_append
from ketnghia.core.personal_data import Kind, disclosure_open
from ketnghia.geo.models import Unit
from ketnghia.programs.models import Program
from ketnghia.programs.selectors import FIRST_PROGRAM_YEAR, program_choices, program_for
from ketnghia.twinning import coverage, diagram, rules, selectors, services
from ketnghia.twinning.forms import ActivityForm, ProposalAcceptForm
from ketnghia.twinning.proposals import NO_MEMBER

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_MONTHS = 3


def _measure_labels() -> dict[str, str]:
    # Evaluated per request so the reader's language applies.
    return {
        "has_twinning_unit": _("Twinning unit"),
        "villages_with_district_office": _("Villages with a district office"),
        "villages_with_committee_member": _("Villages with a committee member"),
        "poor_households_with_party_member": _("Poor and near-poor households with a Party member"),
        "activities": _("Activities confirmed by the commune"),
        "party_members_within_cap": _("Party members within the cap"),
    }


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return min(max(year, FIRST_PROGRAM_YEAR), today.year)


def _years() -> list[int]:
    return list(range(timezone.localdate().year, FIRST_PROGRAM_YEAR - 1, -1))


def _program(request: HttpRequest) -> Program | None:
    """Return the program asked for, or the newest of the user's; None when they have none.

    As on the dashboards: only a program with a commune in the user's scope; another
    province's program answers 404, as a missing one does.
    """
    code = request.GET.get("program") or None
    programs = program_choices(scope=request.scope)
    if code is None and not programs:
        return None
    try:
        return program_for(scope=request.scope, code=code, programs=programs)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _commune_or_404(request: HttpRequest, code: str) -> Unit:
    try:
        return selectors.commune_get_for(scope=request.scope, code=code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


# --- Coverage: the user's communes (a twinning member's home), district and province ----


def _households_left_out(communes: list[Any], year: int) -> dict[str, Any] | None:
    """Return the communes the poor-household total leaves out: no approved round by `year`.

    The total of "poor households with a Party member" is over the communes with a census
    result; one without any is named (linked to its census page), never silently dropped.
    """
    if not communes:
        return None
    counted = set(
        CensusRound.objects.filter(
            commune__in=communes, state__in=APPROVED_STATES, year__lte=year
        ).values_list("commune_id", flat=True)
    )
    missing = [c for c in communes if c.pk not in counted]
    if not missing:
        return None
    return {
        "code": "poor_households_with_party_member",
        "base_level": "commune",
        "covered": len(communes) - len(missing),
        "population": len(communes),
        "missing": [{"code": c.code, "name": c.name, "commune_name": c.name} for c in missing],
        "source": "census",
    }


def _overview_context(request: HttpRequest, form: ActivityForm | None = None) -> dict[str, Any]:
    program = _program(request)
    year = _year(request)
    report = (
        coverage.coverage_report(scope=request.scope, program=program, year=year)
        if program is not None
        else None
    )
    communes = [row.commune for row in report.communes] if report else []
    today = timezone.localdate()
    teams = selectors.teams_user_may_record_for(
        user=request.user, scope=request.scope, on=today, communes=communes
    )
    last_visits = {}
    if request.user.organisation_id is not None:
        for commune in communes:
            last_visits[commune.pk] = list(
                selectors.activity_list_for(scope=request.scope, commune=commune)[:3]
            )
    if form is None and teams:
        team_communes = {t.commune_id for t in teams}
        form = ActivityForm(
            teams=teams,
            villages=coverage.villages_on(list(team_communes), today).order_by("code"),
            initial={"date": today},
        )
    try:
        months = min(max(int(request.GET.get("months", DEFAULT_MONTHS)), 1), 120)
    except ValueError:
        months = DEFAULT_MONTHS
    stale = coverage.communes_not_visited(
        scope=request.scope, communes=communes, on=report.on if report else today, months=months
    )
    resources = coverage.resources_by_organisation(
        scope=request.scope, communes=communes, year=year
    )
    return {
        "program": program,
        "year": year,
        "years": _years(),
        "report": report,
        "households_left_out": _households_left_out(communes, year),
        "months": months,
        "not_visited": stale,
        "resources": resources,
        "labels": _measure_labels(),
        "rows": [
            (row, last_visits.get(row.commune.pk)) for row in (report.communes if report else [])
        ],
        "form": form,
        "section": "twinning",
    }


@gate.gate("units.view")
def overview(request: HttpRequest) -> HttpResponse:
    """Coverage of the user's program communes in a year; the activity form for their teams."""
    return render(request, "twinning/overview.html", _overview_context(request))


@gate.gate("units.view")
def coverage_export(request: HttpRequest) -> HttpResponse:
    """Download the coverage table of the user's communes (.xlsx, every text cell inert)."""
    program = _program(request)
    if program is None:
        raise Http404(_("No program."))
    year = _year(request)
    report = coverage.coverage_report(scope=request.scope, program=program, year=year)
    labels = _measure_labels()
    book = Workbook()
    sheet = book.active
    sheet.title = _("Coverage")[:31]
    header = [_("Commune code"), _("Commune"), _("Twinning unit")]
    for name in rules.MEASURES:
        numerator, denominator = _("numerator"), _("denominator")
        header += [f"{labels[name]} ({numerator})", f"{labels[name]} ({denominator})"]
    xlsx_append(sheet, header)
    for row in report.communes:
        values: list[Any] = [row.commune.code, row.commune.name, "; ".join(row.twinning_units)]
        for name in rules.MEASURES:
            values += [row.measures[name].numerator, row.measures[name].denominator]
        xlsx_append(sheet, values)
    totals: list[Any] = ["", _("Total"), ""]
    for name in rules.MEASURES:
        totals += [report.totals[name].numerator, report.totals[name].denominator]
    xlsx_append(sheet, totals)
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="bao-phu-{program.code}-{year}.xlsx"'
    return response


@require_POST
@gate.gate("activities.record")
def activity_create(request: HttpRequest) -> HttpResponse:
    """Record an activity of one of the user's work teams; problems shown beside the form."""
    today = timezone.localdate()
    teams = selectors.teams_user_may_record_for(user=request.user, scope=request.scope, on=today)
    if not teams:
        raise Http404(_("No work team you may record for."))
    villages = coverage.villages_on(list({t.commune_id for t in teams}), today).order_by("code")
    form = ActivityForm(request.POST, teams=teams, villages=villages)
    if form.is_valid():
        data = form.cleaned_data
        team = next(t for t in teams if t.pk == data["team"])
        village = next((v for v in villages if v.pk == data["village"]), None)
        try:
            services.activity_record(
                team=team,
                date=data["date"],
                kind=data["kind"],
                village=village,
                reached_male=data["reached_male"],
                reached_female=data["reached_female"],
                reached_minority=data["reached_minority"],
                resources_vnd=data["resources_vnd"],
                resources_in_kind=data["resources_in_kind"],
                notes=data["notes"],
                actor=request.user,
            )
        except InvalidInput as error:
            for problem in error.problems:
                form.add_error(None, str(problem.message))
        else:
            messages.success(request, _("Activity recorded."))
            return HttpResponseRedirect(reverse("twinning:overview"))
    return render(
        request, "twinning/overview.html", _overview_context(request, form=form), status=400
    )


@require_POST
@gate.gate("units.edit")
def activity_confirm(request: HttpRequest, commune: str, pk: int) -> HttpResponse:
    """The commune confirms an activity recorded by a work team."""
    found = _commune_or_404(request, commune)
    activity = selectors.activity_list_for(scope=request.scope, commune=found).filter(pk=pk).first()
    if activity is None:
        raise Http404(_("Activity not found."))
    services.activity_confirm(activity=activity, actor=request.user)
    messages.success(request, _("Activity confirmed."))
    return HttpResponseRedirect(reverse("twinning:commune_network", args=[found.code]))


# --- One commune's network ------------------------------------------------------------------


@dataclass(frozen=True)
class VillageRow:
    village: Unit
    offices: list[Any]
    committee: list[Any]
    committee_phones: list[str]
    covered: int
    poor: int

    @property
    def gap(self) -> bool:
        return not self.offices or not self.committee or self.covered < self.poor


@gate.gate("units.view")
def commune_network(request: HttpRequest, commune: str) -> HttpResponse:
    """A commune's network: twinning units over time, villages, poor households, gaps, picture."""
    found = _commune_or_404(request, commune)
    year = _year(request)
    scope = request.scope
    gaps = coverage.commune_gaps(scope=scope, commune=found, year=year)
    twinnings = list(selectors.twinning_history(scope=scope, commune=found))
    poor_by_village: dict[int | None, int] = {}
    covered_by_village: dict[int | None, int] = {}
    for entry in gaps.poor_entries:
        key = entry.household.village_id
        poor_by_village[key] = poor_by_village.get(key, 0) + 1
        if entry.household_id in gaps.member_by_household:
            covered_by_village[key] = covered_by_village.get(key, 0) + 1
    door = disclosure_open(user=request.user, output="twinning.commune_page", unit_path=found.path)
    villages = [
        VillageRow(
            village=v,
            offices=gaps.office_by_village.get(v.pk, []),
            committee=gaps.committee_by_village.get(v.pk, []),
            committee_phones=[
                door.show(
                    a.person.phone, kind=Kind.PHONE, path=a.person.unit_path, subject=a.person_id
                )
                for a in gaps.committee_by_village.get(v.pk, [])
            ],
            covered=covered_by_village.get(v.pk, 0),
            poor=poor_by_village.get(v.pk, 0),
        )
        for v in gaps.villages
    ]
    door.close()
    current = [
        t.organisation.name for t in twinnings if rules.active_on(t.start_date, t.end_date, gaps.on)
    ]
    picture = diagram.picture(
        organisations=current,
        commune=found.name,
        villages=[
            diagram.VillageFigure(
                name=row.village.name,
                covered=row.covered,
                poor=row.poor,
                has_office=bool(row.offices),
                has_committee_member=bool(row.committee),
            )
            for row in villages
        ],
        covered_label=_("%(covered)s/%(poor)s households covered"),
    )
    program = _program(request)
    measures = None
    if program is not None:
        report = coverage.coverage_report(scope=scope, program=program, year=year, communes=[found])
        measures = report.communes[0].measures if report.communes else None
    loads = coverage.party_member_loads(scope=scope, commune=found, on=gaps.on)
    context = {
        "commune": found,
        "year": year,
        "years": _years(),
        "on": gaps.on,
        "twinnings": twinnings,
        "current_organisations": current,
        "villages": villages,
        "entries": gaps.poor_entries,
        "member_by_household": gaps.member_by_household,
        "uncovered": len(gaps.uncovered_entries),
        "picture": picture,
        "measures": measures,
        "labels": _measure_labels(),
        "loads": loads,
        "activities": list(
            selectors.activity_list_for(scope=scope, commune=found).prefetch_related("photos")[:10]
        ),
        "may_edit": gate.reaches(request.user, gate.Action.EDIT, found.path),
        "section": "twinning",
    }
    return render(request, "twinning/commune.html", context)


@gate.gate("units.view")
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One person of the network: role, unit, phone (masked unless the gate allows), assignments."""
    try:
        person = selectors.person_get_for(scope=request.scope, pk=pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    with disclosure_open(
        user=request.user, output="twinning.person_page", unit_path=person.unit_path
    ) as door:
        phone = door.show(person.phone, kind=Kind.PHONE, path=person.unit_path, subject=person.pk)
    context = {
        "person": person,
        "phone": phone,
        "assignments": person.assignments.select_related("village", "household").order_by(
            "-start_date"
        ),
        "section": "twinning",
    }
    return render(request, "twinning/person.html", context)


# --- Reassignment proposals -----------------------------------------------------------------


@gate.gate("units.edit")
def proposal(request: HttpRequest, commune: str) -> HttpResponse:
    """Propose Party members for the poor households without one; accept all or some rows."""
    found = _commune_or_404(request, commune)
    year = _year(request)
    result = coverage.proposal_for(scope=request.scope, commune=found, year=year)
    status = 200
    form = ProposalAcceptForm(request.POST or None, initial={"start_date": timezone.localdate()})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        chosen = set(request.POST.getlist("row"))
        rows = []
        for value in chosen:
            household_id, _sep, person_id = value.partition(":")
            if household_id.isdigit() and person_id.isdigit():
                rows.append((int(household_id), int(person_id)))
        try:
            created = services.proposal_accept(
                commune=found,
                rows=sorted(rows),
                start_date=form.cleaned_data["start_date"],
                decision_number=form.cleaned_data["decision_number"],
                decision_date=form.cleaned_data["decision_date"],
                actor=request.user,
            )
        except InvalidInput as error:
            problems = [str(p) for p in error.problems]
            status = 400
        else:
            messages.success(request, _("%(count)s assignments written.") % {"count": len(created)})
            return HttpResponseRedirect(
                reverse("twinning:commune_network", args=[found.code]) + f"?year={year}"
            )
    elif request.method == "POST":
        status = 400
    reasons = {
        NO_MEMBER: _("no active Party member in the commune"),
    }
    cap = selectors.network_rules_for(found).max_households_per_party_member
    at_cap = _("every Party member is at the cap of %(cap)s households") % {"cap": cap}
    context = {
        "commune": found,
        "year": year,
        "proposal": result,
        "reasons": {u.household_id: reasons.get(u.reason, at_cap) for u in result.uncovered},
        "form": form,
        "problems": problems,
        "section": "twinning",
    }
    return render(request, "twinning/proposal.html", context, status=status)
