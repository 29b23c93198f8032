"""What each role has to do now (a read): the to-do list a home page starts with.

Every item comes from the data inside the user's scope and links down to where the work is
done. The census year is the newest year any round in the scope has (the open round), not the
calendar year: a province starts a year's census in its last months.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ketnghia.accounts.rules import Role
from ketnghia.census import workflow
from ketnghia.census.inbox import (
    LATE_AFTER_DAYS,
    census_year_for,
    days_waiting,
    is_late,
    latest_rounds,
)
from ketnghia.census.models import CensusRound, Complaint, RoundState
from ketnghia.core import gate
from ketnghia.core.gate import UnitScope
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.models import Household
from ketnghia.twinning.models import Activity, ActivityStatus, WorkTeam

# A work team with no activity recorded for this long is reminded to record its visits.
RECORD_AFTER_DAYS = 30
# How many units an item names before it says "and N more".
NAMED = 8


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass
class Todo:
    key: str
    text: str
    url: str = ""
    links: list[Link] = field(default_factory=list)
    more: int = 0
    level: str = "warning"  # "warning": work waits; "info": for information


# The to-dos of work that lives in an app above core (the public portal's bulletins and
# comments): the app registers a function user → items in its AppConfig.ready.
EXTRA_TODOS: list[Callable[[Any], list[Todo]]] = []


def extra_todos_for(user: Any) -> list[Todo]:
    """Return the to-dos the registered apps give `user`."""
    items: list[Todo] = []
    for provider in EXTRA_TODOS:
        items += provider(user)
    return items


def _round_links(rounds: list[CensusRound]) -> tuple[list[Link], int]:
    rounds = sorted(rounds, key=lambda r: r.commune.name)
    links = [
        Link(r.commune.name, reverse("census:round_detail", args=[r.commune.code, r.year]))
        for r in rounds[:NAMED]
    ]
    return links, max(0, len(rounds) - NAMED)


def todos_for(*, user: Any) -> tuple[int | None, list[Todo]]:
    """Return the census year and the to-do items of `user`'s home page."""
    scope = gate.scope_for(user, gate.Action.VIEW)
    if scope.is_empty:
        return None, extra_todos_for(user)
    year = census_year_for(scope=scope)
    items: list[Todo] = []
    if user.role == Role.TWINNING_MEMBER:
        return year, _twinning(user, scope)
    if year is not None:
        latest = latest_rounds(scope, year)
        if user.role == Role.COMMUNE_OFFICER and user.jurisdiction_id:
            items += _commune(user, scope, year, latest)
        elif user.role == Role.DISTRICT_OFFICER and user.jurisdiction_id:
            items += _district(user, year, latest)
        else:
            items += _province(user, scope, year, latest)
    if user.role == Role.COMMUNE_OFFICER:
        items += _to_confirm(scope)
    return year, items + extra_todos_for(user)


def _commune(user: Any, scope: UnitScope, year: int, latest: dict[int, CensusRound]) -> list[Todo]:
    commune = user.jurisdiction
    items = []
    census_round = latest.get(commune.pk)
    if census_round is None:
        items.append(
            Todo(
                "open-round",
                _("No census round for %(year)s yet: open it.") % {"year": year},
                reverse("census:commune_census", args=[commune.code]),
            )
        )
    elif census_round.state != RoundState.PROVINCE_ACCEPTED:
        target = workflow.next_state(census_round.state)
        holders = workflow.holder_roles(census_round.state)
        mine = user.role in holders
        text = _("Census round %(year)s is at “%(state)s”; next step: “%(next)s” (%(who)s).") % {
            "year": year,
            "state": census_round.get_state_display(),
            "next": RoundState(target).label if target else "",
            "who": _("yours") if mine else ", ".join(str(Role(r).label) for r in holders),
        }
        items.append(
            Todo(
                "open-round",
                text,
                reverse("census:round_detail", args=[commune.code, year]),
                level="warning" if mine else "info",
            )
        )
    open_complaints = scope.filter(
        Complaint.objects.filter(round__commune=commune, resolved_on__isnull=True),
        "round__unit_path",
    ).count()
    if open_complaints:
        items.append(
            Todo(
                "complaints",
                ngettext(
                    "%(n)d complaint to resolve.", "%(n)d complaints to resolve.", open_complaints
                )
                % {"n": open_complaints},
                reverse("census:round_detail", args=[commune.code, year]),
            )
        )
    approved = (
        CensusRound.objects.filter(commune=commune, commune_approved_at__isnull=False)
        .order_by("-commune_approved_at")
        .values_list("commune_approved_at", flat=True)
        .first()
    )
    if approved is not None:
        edited = (
            scope.filter(Household.history.filter(history_date__gt=approved), "unit_path")
            .filter(commune_id=commune.pk)
            .values("id")
            .distinct()
            .count()
        )
        if edited:
            items.append(
                Todo(
                    "edited",
                    ngettext(
                        "%(n)d household edited since the last approval.",
                        "%(n)d households edited since the last approval.",
                        edited,
                    )
                    % {"n": edited},
                    reverse("census:commune_census", args=[commune.code]),
                    level="info",
                )
            )
    return items


def _district(user: Any, year: int, latest: dict[int, CensusRound]) -> list[Todo]:
    district = user.jurisdiction
    inbox = reverse("census:district_inbox", args=[district.code]) + f"?year={year}"
    waiting = [
        r for r in latest.values() if Role.DISTRICT_OFFICER in workflow.holder_roles(r.state)
    ]
    items = []
    if waiting:
        links, more = _round_links(waiting)
        items.append(
            Todo(
                "inbox",
                ngettext(
                    "%(n)d round waits for the district's acceptance.",
                    "%(n)d rounds wait for the district's acceptance.",
                    len(waiting),
                )
                % {"n": len(waiting)},
                inbox,
                links,
                more,
            )
        )
    items += _late(latest, year, inbox)
    communes = Unit.objects.filter(parent=district, level=UnitLevel.COMMUNE)
    missing = communes.exclude(pk__in=latest.keys()).order_by("name")
    count = missing.count()
    if count:
        items.append(
            Todo(
                "no-round",
                ngettext(
                    "%(n)d commune has no round for %(year)s.",
                    "%(n)d communes have no round for %(year)s.",
                    count,
                )
                % {"n": count, "year": year},
                inbox,
                [
                    Link(c.name, reverse("census:commune_census", args=[c.code]))
                    for c in missing[:NAMED]
                ],
                max(0, count - NAMED),
                level="info",
            )
        )
    return items


def _late(latest: dict[int, CensusRound], year: int, url: str) -> list[Todo]:
    late = [
        r
        for r in latest.values()
        if r.state != RoundState.PROVINCE_ACCEPTED and is_late(days_waiting(r))
    ]
    if not late:
        return []
    links, more = _round_links(late)
    return [
        Todo(
            "late",
            ngettext(
                "%(n)d round of %(year)s has stood at one step for over %(days)d days.",
                "%(n)d rounds of %(year)s have stood at one step for over %(days)d days.",
                len(late),
            )
            % {"n": len(late), "year": year, "days": LATE_AFTER_DAYS},
            url,
            links,
            more,
        )
    ]


def _province(user: Any, scope: UnitScope, year: int, latest: dict[int, CensusRound]) -> list[Todo]:
    from ketnghia.programs.models import ProgramCommune

    area = reverse("census_area") + f"?year={year}"
    items = []
    waiting = [r for r in latest.values() if r.state == RoundState.DISTRICT_ACCEPTED]
    if waiting and user.role == Role.PROVINCE_ADMIN:
        links, more = _round_links(waiting)
        items.append(
            Todo(
                "province-inbox",
                ngettext(
                    "%(n)d round waits for the province's acceptance.",
                    "%(n)d rounds wait for the province's acceptance.",
                    len(waiting),
                )
                % {"n": len(waiting)},
                area,
                links,
                more,
            )
        )
    # Communes on a program's list in the census year.
    on_list = ProgramCommune.objects.filter(valid_from__year__lte=year).exclude(
        valid_to__year__lt=year
    )
    program_communes = scope.filter(
        Unit.objects.filter(pk__in=on_list.values("commune_id")), "path"
    )
    counted = {pk for pk, r in latest.items() if workflow.is_frozen(r.state)}
    missing = list(program_communes.exclude(pk__in=counted).order_by("name"))
    if missing:
        items.append(
            Todo(
                "missing-figures",
                ngettext(
                    "%(n)d program commune is missing from %(year)s's figures (no approved round).",
                    "%(n)d program communes are missing from %(year)s's figures (no approved round).",
                    len(missing),
                )
                % {"n": len(missing), "year": year},
                area,
                [
                    Link(c.name, reverse("census:commune_census", args=[c.code]))
                    for c in missing[:NAMED]
                ],
                max(0, len(missing) - NAMED),
            )
        )
    items += _late(latest, year, area)
    return items


def _to_confirm(scope: UnitScope) -> list[Todo]:
    recorded = scope.filter(
        Activity.objects.filter(status=ActivityStatus.RECORDED), "commune__path"
    )
    count = recorded.count()
    if not count:
        return []
    first = recorded.select_related("commune").first()
    return [
        Todo(
            "confirm",
            ngettext(
                "%(n)d twinning activity to confirm.",
                "%(n)d twinning activities to confirm.",
                count,
            )
            % {"n": count},
            reverse("twinning:commune_network", args=[first.commune.code]) if first else "",
        )
    ]


def _twinning(user: Any, scope: UnitScope) -> list[Todo]:
    today = timezone.localdate()
    teams = scope.filter(
        WorkTeam.objects.filter(organisation_id=user.organisation_id, start_date__lte=today)
        .exclude(end_date__lt=today)
        .select_related("commune"),
        "commune__path",
    )
    items = []
    quiet = []
    since = today - timedelta(days=RECORD_AFTER_DAYS)
    recent = set(
        Activity.objects.filter(team__in=teams, date__gte=since).values_list("team_id", flat=True)
    )
    for team in teams.order_by("name"):
        if team.pk not in recent:
            quiet.append(team)
    if quiet:
        items.append(
            Todo(
                "record",
                ngettext(
                    "%(n)d work team has recorded no activity for %(days)d days.",
                    "%(n)d work teams have recorded no activity for %(days)d days.",
                    len(quiet),
                )
                % {"n": len(quiet), "days": RECORD_AFTER_DAYS},
                reverse("twinning:overview") + "#activity-form",
                [
                    Link(t.name, reverse("twinning:commune_network", args=[t.commune.code]))
                    for t in quiet[:NAMED]
                ],
                max(0, len(quiet) - NAMED),
            )
        )
    unconfirmed = Activity.objects.filter(
        team__organisation_id=user.organisation_id, status=ActivityStatus.RECORDED
    )
    unconfirmed = scope.filter(unconfirmed, "commune__path")
    count = unconfirmed.count()
    if count:
        first = unconfirmed.select_related("commune").first()
        items.append(
            Todo(
                "awaiting-confirmation",
                ngettext(
                    "%(n)d activity recorded, waiting for the commune's confirmation.",
                    "%(n)d activities recorded, waiting for the commune's confirmation.",
                    count,
                )
                % {"n": count},
                reverse("twinning:commune_network", args=[first.commune.code]) if first else "",
                level="info",
            )
        )
    return items
