"""Household pages: register and edit a household and its members; a village's households.

Writes go through `households.services` (the census import's checks, history kept); a
service's `InvalidInput` is shown beside the form that caused it (status 400) and nothing is
written. Outside the user's scope, or missing: 404 alike.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ketnghia.core import gate
from ketnghia.core.errors import InvalidInput, NotFound
from ketnghia.core.personal_data import Kind, disclosure_open
from ketnghia.geo import selectors as geo_selectors
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households import selectors, services
from ketnghia.households.forms import HouseholdForm, MemberForm
from ketnghia.households.models import Household, Member

PAGE_SIZE = 50


def commune_or_404(request: HttpRequest, code: str) -> Unit:
    try:
        unit = geo_selectors.unit_get_for(scope=request.scope, code=code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if unit.level != UnitLevel.COMMUNE:
        raise Http404(_("Unit %(code)s not found.") % {"code": code})
    return unit


def _household_or_404(request: HttpRequest, commune: str, code: str) -> Household:
    try:
        return selectors.household_get_for(scope=request.scope, commune_code=commune, code=code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def commune_villages(request: HttpRequest, commune: Unit) -> list[Unit]:
    """Return the commune's villages inside the request's scope, by code."""
    return list(
        geo_selectors.unit_children_for(scope=request.scope, unit=commune)
        .filter(level=UnitLevel.VILLAGE)
        .order_by("code")
    )


def _village_choices(request: HttpRequest, commune: Unit) -> list[tuple[str, str]]:
    return [(v.code, v.name) for v in commune_villages(request, commune)]


def _household_values(data: dict[str, Any]) -> dict[str, Any]:
    names = ("head_name", "village", "area", "address", "registered_year", "left_year")
    return {name: data[name] for name in names if name in data}


def _member_values(data: dict[str, Any]) -> dict[str, Any]:
    names = ("full_name", "sex", "birth_year", "ethnicity", "relation", "personal_id")
    return {name: data[name] for name in names if name in data}


@gate.gate("census.edit")
def household_add(request: HttpRequest, commune: str) -> HttpResponse:
    """Register a household of the commune (then add its members on its edit page)."""
    unit = commune_or_404(request, commune)
    form = HouseholdForm(request.POST or None, villages=_village_choices(request, unit))
    if request.method == "POST":
        if form.is_valid():
            try:
                household = services.household_create(
                    commune=unit,
                    code=form.cleaned_data["code"],
                    **_household_values(form.cleaned_data),
                    actor=request.user,
                )
            except InvalidInput as exc:
                form.add_problems(exc)
            else:
                messages.success(
                    request,
                    _("Household %(code)s is registered; add its members below.")
                    % {"code": household.code},
                )
                return HttpResponseRedirect(_edit_url(household))
        context = {"commune": unit, "form": form}
        return render(request, "households/household_add.html", context, status=400)
    return render(request, "households/household_add.html", {"commune": unit, "form": form})


def _edit_url(household: Household, anchor: str = "") -> str:
    url = reverse(
        "households:household_edit",
        kwargs={"commune": household.commune.code, "code": household.code},
    )
    return f"{url}#{anchor}" if anchor else url


def _household_form(request: HttpRequest, household: Household, data: Any = None) -> HouseholdForm:
    return HouseholdForm(
        data,
        villages=_village_choices(request, household.commune),
        editing=True,
        initial={
            "head_name": household.head_name,
            "village": household.village.code if household.village else "",
            "area": household.area if household.area_overridden else "",
            "address": household.address,
            "registered_year": household.registered_year,
            "left_year": household.left_year,
        },
    )


def _render_edit(
    request: HttpRequest,
    household: Household,
    *,
    household_form: HouseholdForm | None = None,
    member_forms: dict[str, MemberForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = member_forms or {}
    members = list(selectors.member_list(household=household))
    rows = []
    with disclosure_open(
        user=request.user, output="households.household_edit_page", household=household
    ) as door:
        may_see_ids = door.may_see(household.unit_path)
        for member in members:
            shown = door.show(
                member.personal_id,
                kind=Kind.PERSONAL_ID,
                path=household.unit_path,
                subject=household.pk,
            )
            prefix = f"m{member.pk}"
            form = bound.get(prefix) or MemberForm(
                prefix=prefix,
                may_set_ids=may_see_ids,
                initial={
                    "full_name": member.full_name,
                    "sex": member.sex,
                    "birth_year": member.birth_year,
                    "ethnicity": member.ethnicity,
                    "relation": member.relation,
                    # Only for users who may see it: the field is not there for others.
                    "personal_id": shown if may_see_ids else "",
                },
            )
            rows.append((member, form, shown))
    context = {
        "household": household,
        "commune": household.commune,
        "form": household_form or _household_form(request, household),
        "members": rows,
        "add_form": bound.get("new") or MemberForm(prefix="new", may_set_ids=may_see_ids),
        "may_see_ids": may_see_ids,
    }
    return render(request, "households/household_edit.html", context, status=status)


@gate.gate("census.edit")
def household_edit(request: HttpRequest, commune: str, code: str) -> HttpResponse:
    """Edit a household's registry facts and its members."""
    household = _household_or_404(request, commune, code)
    if request.method != "POST":
        return _render_edit(request, household)
    form = _household_form(request, household, request.POST)
    if form.is_valid():
        try:
            services.household_update(
                household=household, **_household_values(form.cleaned_data), actor=request.user
            )
        except InvalidInput as exc:
            form.add_problems(exc)
        else:
            messages.success(request, _("The household was saved."))
            return HttpResponseRedirect(_edit_url(household))
    household.refresh_from_db()
    return _render_edit(request, household, household_form=form, status=400)


def _member_or_404(household: Household, pk: int) -> Member:
    member = household.members.filter(pk=pk).first()
    if member is None:
        raise Http404(_("Member %(id)s not found.") % {"id": pk})
    return member


def _member_write(
    request: HttpRequest, household: Household, prefix: str, write: Any, done: str
) -> HttpResponse:
    may_see_ids = gate.reaches(request.user, gate.Action.SEE_PERSONAL_DATA, household.unit_path)
    form = MemberForm(request.POST, prefix=prefix, may_set_ids=may_see_ids)
    if form.is_valid():
        try:
            write(_member_values(form.cleaned_data))
        except InvalidInput as exc:
            form.add_problems(exc)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(_edit_url(household, "members"))
    return _render_edit(request, household, member_forms={prefix: form}, status=400)


@gate.gate("census.edit")
@require_POST
def member_add(request: HttpRequest, commune: str, code: str) -> HttpResponse:
    """Add a member to the household."""
    household = _household_or_404(request, commune, code)
    return _member_write(
        request,
        household,
        "new",
        lambda values: services.member_create(household=household, **values, actor=request.user),
        _("The member was added."),
    )


@gate.gate("census.edit")
@require_POST
def member_edit(request: HttpRequest, commune: str, code: str, pk: int) -> HttpResponse:
    """Change one member of the household (the personal ID only where the gate allows)."""
    household = _household_or_404(request, commune, code)
    member = _member_or_404(household, pk)
    return _member_write(
        request,
        household,
        f"m{member.pk}",
        lambda values: services.member_update(member=member, **values, actor=request.user),
        _("The member was saved."),
    )


@gate.gate("census.edit")
@require_POST
def member_delete(request: HttpRequest, commune: str, code: str, pk: int) -> HttpResponse:
    """Remove one member from the household."""
    household = _household_or_404(request, commune, code)
    member = _member_or_404(household, pk)
    services.member_delete(member=member, actor=request.user)
    messages.success(request, _("The member was removed."))
    return HttpResponseRedirect(_edit_url(household, "members"))
