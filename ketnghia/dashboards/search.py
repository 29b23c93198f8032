"""Search across what a user may see (a read): units, villages, households, organisations, people.

Every group is filtered by the scoping gate's `UnitScope` and cut at `LIMIT` rows, so a search
costs a few bounded queries whatever the data. Diacritics are ignored everywhere, each group on
its folded column: unit names (`Unit.search_name`, the unit tree's search), households' code
and head (`CensusEntry.search_folded`, the round's search, indexed with the round), members'
and people's names (`Member.search_folded`, `Person.search_folded`) and organisations' names
(`Organisation.search_name`, `search_short_name`) — the last three generated columns the
database keeps on every write (`core.folding.Folded`), bulk and imported rows included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Max, Q

from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.core.gate import UnitScope
from ketnghia.core.text import fold, nfc
from ketnghia.geo import selectors as geo_selectors
from ketnghia.geo.models import UnitLevel
from ketnghia.households.models import Member
from ketnghia.twinning.models import Organisation, Person

LIMIT = 20
MIN_LENGTH = 2


@dataclass(frozen=True)
class Hit:
    label: str
    detail: str
    url: str


@dataclass
class Results:
    query: str
    units: list[Hit] = field(default_factory=list)
    villages: list[Hit] = field(default_factory=list)
    households: list[Hit] = field(default_factory=list)
    organisations: list[Hit] = field(default_factory=list)
    people: list[Hit] = field(default_factory=list)

    @property
    def groups(self) -> list[tuple[str, list[Hit]]]:
        return [
            ("units", self.units),
            ("villages", self.villages),
            ("households", self.households),
            ("organisations", self.organisations),
            ("people", self.people),
        ]

    @property
    def total(self) -> int:
        return sum(len(hits) for _, hits in self.groups)


def search_for(
    *, view_scope: UnitScope, personal_scope: UnitScope, query: str, limit: int = LIMIT
) -> Results:
    """Return what `query` finds inside `view_scope`; member names only inside `personal_scope`."""
    from django.urls import reverse

    text = nfc(query).strip()
    results = Results(query=text)
    words = fold(text).split()
    if len(fold(text).replace(" ", "")) < MIN_LENGTH or view_scope.is_empty:
        return results
    for unit in geo_selectors.unit_search_for(scope=view_scope, query=text, limit=limit * 2):
        parent = unit.parent.name if unit.parent_id else ""
        hit = Hit(
            unit.name,
            f"{unit.get_level_display()} · {unit.code}" + (f" · {parent}" if parent else ""),
            unit.get_absolute_url(),
        )
        group = results.villages if unit.level == UnitLevel.VILLAGE else results.units
        if len(group) < limit:
            group.append(hit)
    results.households = _households(view_scope, personal_scope, words, text, limit)
    organisations = Organisation.objects.filter(
        view_scope.q("province__path") | view_scope.q("twinnings__commune__path")
    )
    for word in words:
        organisations = organisations.filter(
            Q(search_name__contains=word) | Q(search_short_name__contains=word)
        )
    for organisation in organisations.distinct().order_by("name")[:limit]:
        commune = organisation.twinnings.order_by("-start_date").select_related("commune").first()
        url = reverse("twinning:commune_network", args=[commune.commune.code]) if commune else ""
        results.organisations.append(
            Hit(
                organisation.name,
                organisation.get_kind_display(),
                url or reverse("twinning:overview"),
            )
        )
    people = view_scope.filter(Person.objects.all(), "unit_path")
    for word in words:
        people = people.filter(search_folded__contains=word)
    for person in people.order_by("full_name", "pk")[:limit]:
        results.people.append(
            Hit(
                person.full_name,
                person.get_role_display(),
                reverse("twinning:person_detail", args=[person.pk]),
            )
        )
    return results


def _households(
    view_scope: UnitScope, personal_scope: UnitScope, words: list[str], text: str, limit: int
) -> list[Hit]:
    """Households by code or head (each commune's latest round), then by a member's name."""
    from django.urls import reverse

    rounds = view_scope.filter(CensusRound.objects.all(), "unit_path")
    latest = rounds.values("commune_id").annotate(year=Max("year"))
    round_ids = [
        pk
        for pk in rounds.filter(
            year__in={row["year"] for row in latest}  # bounded by the years, then by commune
        )
        .order_by("commune_id", "-year", "-revision")
        .distinct()
        .values_list("pk", flat=True)
    ]
    entries = CensusEntry.objects.filter(round_id__in=round_ids, household__isnull=False)
    for word in words:
        entries = entries.filter(search_folded__contains=word)
    hits: dict[int, Hit] = {}
    for entry in entries.select_related("round__commune").order_by("household_code")[: limit * 3]:
        if entry.household_id in hits or len(hits) >= limit:
            continue
        commune = entry.round.commune
        hits[entry.household_id] = Hit(
            entry.head_name,
            f"{entry.household_code} · {commune.name} · {entry.round.year}",
            reverse("census:household_detail", args=[commune.code, entry.household_code]),
        )
    if len(hits) < limit and not personal_scope.is_empty:
        members = personal_scope.filter(Member.objects.all(), "household__unit_path")
        for word in words:
            members = members.filter(search_folded__contains=word)
        for member in members.select_related("household__commune").order_by("full_name")[:limit]:
            household = member.household
            if household.pk in hits or len(hits) >= limit:
                continue
            hits[household.pk] = Hit(
                household.head_name,
                f"{household.code} · {household.commune.name} · {member.full_name}",
                reverse("census:household_detail", args=[household.commune.code, household.code]),
            )
    return list(hits.values())
