"""Reads of census rounds and entries, always through a scope handed out by the gate."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, Min, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from ketnghia.accounts.rules import Role
from ketnghia.census import rules, workflow
from ketnghia.census import rules as census_rules
from ketnghia.census.models import (
    CensusEntry,
    CensusRound,
    Complaint,
    RoundState,
    Status,
)
from ketnghia.census.workflow import APPROVED_STATES, RoundFacts
from ketnghia.core import gate
from ketnghia.core.errors import InvalidInput, Location, NotFound, Problem
from ketnghia.core.gate import UnitScope
from ketnghia.core.text import fold
from ketnghia.geo.models import Unit
from ketnghia.households.models import Household
from ketnghia.imports.models import ImportJob
from ketnghia.imports.spec import spec_path
from ketnghia.poverty.domain import Area, Standard
from ketnghia.poverty.rules import classify_many, deprivation_matrix_from_bits
from ketnghia.poverty.selectors import standard_get


def round_list_for(*, scope: UnitScope, commune: Unit) -> QuerySet[CensusRound]:
    """Return every round (all revisions) of `commune` inside `scope`, oldest first."""
    rounds = CensusRound.objects.filter(commune=commune).select_related("meeting_minutes")
    return scope.filter(rounds, "unit_path").order_by("year", "revision")


def round_get_for(
    *, scope: UnitScope, commune_code: str, year: int, revision: int | None = None
) -> CensusRound:
    """Return a round inside `scope`: the given revision, else the latest one of that year."""
    rounds = scope.filter(
        CensusRound.objects.select_related("commune", "commune__parent", "meeting_minutes"),
        "unit_path",
    ).filter(commune__code=commune_code, year=year)
    found = (
        rounds.filter(revision=revision).first()
        if revision is not None
        else rounds.order_by("-revision").first()
    )
    if found is None:
        raise NotFound(
            _("No census round %(year)s for commune %(code)s.")
            % {"year": year, "code": commune_code}
        )
    return found


def official_rounds(*, communes: QuerySet[Unit] | list[Unit]) -> dict[tuple[int, int], CensusRound]:
    """Return the official round per (commune id, year): its latest approved revision."""
    rounds = {
        r.pk: r for r in CensusRound.objects.filter(commune__in=communes, state__in=APPROVED_STATES)
    }
    chosen = census_rules.official_rounds(
        (r.pk, r.commune_id, r.year, r.revision, True) for r in rounds.values()
    )
    return {key: rounds[pk] for key, pk in chosen.items()}


def _approved_rows(
    commune_ids: Iterable[int] | None, years: Iterable[int] | None, up_to_year: int | None
) -> Iterator[census_rules.RoundRow]:
    rounds = CensusRound.objects.filter(state__in=APPROVED_STATES)
    if commune_ids is not None:
        rounds = rounds.filter(commune_id__in=list(commune_ids))
    if years is not None:
        rounds = rounds.filter(year__in=list(years))
    if up_to_year is not None:
        rounds = rounds.filter(year__lte=up_to_year)
    for pk, commune_id, year, revision in rounds.values_list(
        "id", "commune_id", "year", "revision"
    ):
        yield pk, commune_id, year, revision, True


def official_round_ids(
    *, commune_ids: Iterable[int] | None = None, years: Iterable[int] | None = None
) -> dict[tuple[int, int], int]:
    """Return (commune id, year) → the id of the year's official round (`rules.official_rounds`),
    for the given communes and years (None = all); one query."""
    return census_rules.official_rounds(_approved_rows(commune_ids, years, None))


def latest_official_round_ids(*, commune_ids: Iterable[int], year: int) -> dict[int, int]:
    """Return commune id → the id of its official round of the latest year ≤ `year`; one
    query (`rules.latest_official`)."""
    official = census_rules.official_rounds(_approved_rows(commune_ids, None, year))
    return census_rules.latest_official(official, year)


def entry_list_for(*, scope: UnitScope, census_round: CensusRound) -> QuerySet[CensusEntry]:
    """Return a round's entries, if the round lies inside `scope`."""
    if not scope.contains_path(census_round.unit_path):
        return CensusEntry.objects.none()
    return census_round.entries.order_by("household_code")


def status_counts(*, census_round: CensusRound) -> dict[str, int]:
    """Return the number of households per status in a round (every status present)."""
    counted = dict(census_round.entries.values_list("status").annotate(n=Count("id")).order_by())
    return {status: counted.get(status, 0) for status in Status.values}


def round_statuses(*, census_round: CensusRound) -> dict[int, str]:
    """Return household id → status in a round."""
    return dict(census_round.entries.values_list("household_id", "status"))


@dataclass
class YearSummary:
    """One year of a commune's census as the census page shows it."""

    round: CensusRound
    counts: dict[str, int]
    households: int
    poverty_rate: float | None
    near_poverty_rate: float | None
    transitions: dict[str, int] | None = None
    series_break: bool = False
    revisions: list[CensusRound] = field(default_factory=list)


def commune_census_summary(*, scope: UnitScope, commune: Unit) -> list[YearSummary]:
    """Return, per census year of `commune`, the latest round with counts, rates and transitions.

    Transitions compare each year's latest round with the previous year's; a household poor in
    any earlier year and poor again after a year out of poverty counts as fallen back. Read
    from the stored `RoundSummary` rows (`census.summaries`): two queries, whatever the years
    and households.
    """
    rounds = list(round_list_for(scope=scope, commune=commune).select_related("summary"))
    if any(not hasattr(census_round, "summary") for census_round in rounds):
        return commune_census_summary_live(scope=scope, commune=commune)
    by_year: dict[int, list[CensusRound]] = {}
    for census_round in rounds:
        by_year.setdefault(census_round.year, []).append(census_round)
    summaries: list[YearSummary] = []
    previous_standard: str | None = None
    for year in sorted(by_year):
        approved = [r for r in by_year[year] if r.state in APPROVED_STATES]
        latest = approved[-1] if approved else by_year[year][-1]
        stored = latest.summary
        counts = {status: getattr(stored, status) for status in Status.values}
        households = stored.households
        moves = None
        if stored.previous_round_id is not None:
            moves = {
                t.value: getattr(stored, _TRANSITION_COLUMN.get(t, t.value))
                for t in rules.Transition
            }
        summaries.append(
            YearSummary(
                round=latest,
                counts=counts,
                households=households,
                poverty_rate=rules.poverty_rate(counts[Status.POOR], households),
                near_poverty_rate=rules.poverty_rate(counts[Status.NEAR_POOR], households),
                transitions=moves,
                series_break=rules.series_breaks(previous_standard, latest.standard_code),
                revisions=by_year[year],
            )
        )
        previous_standard = latest.standard_code
    return summaries


# The summary column of a transition where it is not the transition's own name.
_TRANSITION_COLUMN = {rules.Transition.LEFT: "households_left"}


def commune_census_summary_live(*, scope: UnitScope, commune: Unit) -> list[YearSummary]:
    """Return what `commune_census_summary` returns, computed from every entry of every year.

    The reference the stored summaries are tested against, and the fallback for rounds
    written without one (a database not yet rebuilt: `ketnghia census-summaries rebuild`).

    Transitions compare each year's latest round with the previous year's; a household poor in
    any earlier year and poor again after a year out of poverty counts as fallen back.
    """
    rounds = list(round_list_for(scope=scope, commune=commune))
    by_year: dict[int, list[CensusRound]] = {}
    for census_round in rounds:
        by_year.setdefault(census_round.year, []).append(census_round)
    summaries: list[YearSummary] = []
    previous_statuses: dict[int, str] | None = None
    previous_standard: str | None = None
    ever_poor: set[int] = set()
    poor_before_previous: set[int] = set()
    for year in sorted(by_year):
        approved = [r for r in by_year[year] if r.state in APPROVED_STATES]
        # The approved revision is the year's figure; a correction in progress does not count yet.
        latest = approved[-1] if approved else by_year[year][-1]
        counts = status_counts(census_round=latest)
        households = sum(counts.values())
        statuses = round_statuses(census_round=latest)
        moves = None
        if previous_statuses is not None:
            moves = rules.transition_counts(
                rules.transitions(previous_statuses, statuses, poor_before_previous)
            )
        summaries.append(
            YearSummary(
                round=latest,
                counts=counts,
                households=households,
                poverty_rate=rules.poverty_rate(counts[Status.POOR], households),
                near_poverty_rate=rules.poverty_rate(counts[Status.NEAR_POOR], households),
                transitions=moves,
                series_break=rules.series_breaks(previous_standard, latest.standard_code),
                revisions=by_year[year],
            )
        )
        poor_before_previous = set(ever_poor)
        ever_poor |= {hid for hid, status in statuses.items() if status == Status.POOR}
        previous_statuses, previous_standard = statuses, latest.standard_code
    return summaries


def household_history(*, household: Household) -> QuerySet[CensusEntry]:
    """Return a household's entries across rounds, newest year first."""
    return household.census_entries.select_related("round", "override_approver").order_by(
        "-round__year", "-round__revision"
    )


def open_complaint_count(*, census_round: CensusRound) -> int:
    return census_round.complaints.filter(Q(resolved_on__isnull=True) | Q(resolution="")).count()


def round_recompute(*, census_round: CensusRound, standard: Standard) -> dict[str, int]:
    """Return a round's status counts as `standard` would have given them; nothing is written.

    The official result stays as approved. Possible where the round's inputs allow it: an
    income-only target needs incomes only; otherwise every indicator of the target must have
    been collected under the round's own standard.
    """
    source = standard_get(census_round.standard_code)
    if standard.uses_deprivations:
        missing = [code for code in standard.indicator_codes if code not in source.indicator_codes]
        if missing or not source.uses_deprivations:
            raise InvalidInput(
                Problem(
                    _(
                        "Round %(round)s cannot be recomputed under %(target)s: indicators "
                        "%(missing)s were not collected under %(source)s."
                    )
                    % {
                        "round": census_round,
                        "target": standard.name,
                        "missing": ", ".join(
                            f"“{indicator.name}”"
                            for indicator in standard.indicators
                            if indicator.code in set(missing or standard.indicator_codes)
                        ),
                        "source": source.name,
                    },
                    Location(field="standard"),
                )
            )
    rows = list(
        census_round.entries.order_by()
        .values("area", "deprivations")
        .annotate(band=_income_band(standard), income=Min("monthly_income_per_person"))
        .values_list("area", "income", "deprivations", Count("id"))
    )
    if not rows:
        return dict.fromkeys(Status.values, 0)
    # One row per (area, deprivations, income band of the target's lines), weighted by its
    # households: every income of a band compares alike with every line of the standard.
    areas, incomes, masks, weights = zip(*rows, strict=True)
    matrix = None
    if standard.uses_deprivations:
        source_matrix = deprivation_matrix_from_bits(masks, len(source.indicator_codes))
        columns = [source.indicator_codes.index(code) for code in standard.indicator_codes]
        matrix = source_matrix[:, columns]
    result = classify_many(standard, areas, incomes, matrix)
    counted: Counter[str] = Counter()
    for status, weight in zip(result.status.tolist(), weights, strict=True):
        counted[status] += weight
    return {status: counted.get(status, 0) for status in Status.values}


def _income_band(standard: Standard) -> Case:
    """Return which band of `standard`'s income lines an entry's income falls in, per area."""
    whens = []
    for area in (Area.RURAL, Area.URBAN):
        lines = standard.thresholds(area)
        for band, line in enumerate(
            sorted({x for x in (lines.poor, lines.near_poor, lines.average) if x is not None})
        ):
            whens.append(When(area=area, monthly_income_per_person__lte=line, then=Value(band)))
    return Case(*whens, default=Value(99))


# --- Reads for the census pages and API ---------------------------------------------------


def round_year_revisions(*, scope: UnitScope, census_round: CensusRound) -> list[CensusRound]:
    """Return every revision of `census_round`'s commune and year inside `scope`, oldest first."""
    return list(
        scope.filter(CensusRound.objects.all(), "unit_path")
        .filter(commune_id=census_round.commune_id, year=census_round.year)
        .order_by("revision")
    )


def round_facts(*, census_round: CensusRound) -> RoundFacts:
    """Return what the workflow checks look at for `census_round` (as the services see it)."""
    return RoundFacts(
        state=census_round.state,
        entry_count=census_round.entries.count(),
        meeting_date=census_round.meeting_date,
        meeting_participants=census_round.meeting_participants,
        meeting_agreeing=census_round.meeting_agreeing,
        has_minutes=census_round.meeting_minutes_id is not None,
        posting_start=census_round.posting_start,
        posting_end=census_round.posting_end,
        open_complaints=open_complaint_count(census_round=census_round),
        posting_min_working_days=posting_min_working_days(),
    )


def posting_min_working_days() -> int:
    """Return the fewest working days a draft list stays posted (a setting, default 3)."""
    return int(
        getattr(
            settings,
            "KETNGHIA_POSTING_MIN_WORKING_DAYS",
            workflow.DEFAULT_POSTING_MIN_WORKING_DAYS,
        )
    )


def entry_search_for(
    *,
    scope: UnitScope,
    census_round: CensusRound,
    query: str = "",
    village_code: str = "",
    status: str = "",
) -> QuerySet[CensusEntry]:
    """Return a round's entries whose code or head's name holds every word of `query`.

    `village_code` and `status`, when given, keep the entries of that village and status.

    Diacritics and case are ignored ("nguyen van" finds "Nguyễn Văn"): the words are matched
    in SQL on the entry's stored folded text (`CensusEntry.search_folded`).
    """
    entries = entry_list_for(scope=scope, census_round=census_round)
    if village_code:
        entries = entries.filter(village_code=village_code)
    if status:
        entries = entries.filter(status=status)
    for word in fold(query).split():
        entries = entries.filter(search_folded__contains=word)
    return entries


def entry_get_for(
    *, scope: UnitScope, census_round: CensusRound, household_code: str
) -> CensusEntry:
    """Return the entry of one household in a round; NotFound for missing and forbidden alike."""
    entry = (
        entry_list_for(scope=scope, census_round=census_round)
        .select_related("round")
        .filter(household_code=household_code.strip())
        .first()
    )
    if entry is None:
        raise NotFound(
            Problem(
                _("Household %(code)s is not in this census round.") % {"code": household_code},
                Location(field="household_code"),
            )
        )
    return entry


def complaint_list_for(*, scope: UnitScope, census_round: CensusRound) -> QuerySet[Complaint]:
    """Return a round's complaints, oldest first, if the round lies inside `scope`."""
    if not scope.contains_path(census_round.unit_path):
        return Complaint.objects.none()
    return census_round.complaints.select_related("household").order_by("received_on", "id")


def complaint_get_for(*, scope: UnitScope, census_round: CensusRound, pk: int) -> Complaint:
    """Return one complaint of a round; NotFound for missing and forbidden alike."""
    complaint = (
        complaint_list_for(scope=scope, census_round=census_round)
        .select_related("round")
        .filter(pk=pk)
        .first()
    )
    if complaint is None:
        raise NotFound(_("Complaint %(id)s not found.") % {"id": pk})
    return complaint


def import_jobs_of(census_round: CensusRound) -> QuerySet[ImportJob]:
    """Return the round's web uploads: the import jobs of the census specs for its id."""
    from ketnghia.census.importing.pipeline import CENSUS
    from ketnghia.census.odk import ODK

    specs = [spec_path(CENSUS), spec_path(ODK)]
    return ImportJob.objects.filter(spec__in=specs, scope__round=census_round.pk)


def import_job_list_for(
    *, scope: UnitScope, census_round: CensusRound, limit: int = 5
) -> list[ImportJob]:
    """Return a round's latest web uploads, newest first, if the round lies inside `scope`."""
    if not scope.contains_path(census_round.unit_path):
        return []
    jobs = import_jobs_of(census_round).select_related("created_by")
    return list(jobs.order_by("-created_at", "-id")[:limit])


def import_job_get_for(*, scope: UnitScope, census_round: CensusRound, pk: int) -> ImportJob:
    """Return one upload of a round; NotFound for missing and forbidden alike."""
    job = None
    if scope.contains_path(census_round.unit_path):
        job = import_jobs_of(census_round).select_related("created_by").filter(pk=pk).first()
    if job is None:
        raise NotFound(_("Import %(id)s not found.") % {"id": pk})
    return job


@dataclass
class NextStep:
    """The round's next procedure step as one user sees it: may they take it, what is missing."""

    target: str
    label: str
    allowed: bool
    problems: list[str]
    roles: list[str]


def round_next_step(*, census_round: CensusRound, user: Any) -> NextStep | None:
    """Return the next step of `census_round` for `user`; None once the procedure is over."""
    target = workflow.next_state(census_round.state)
    if target is None:
        return None
    allowed = gate.reaches(user, gate.Action.EDIT, census_round.unit_path) and (
        workflow.role_may_take(
            getattr(user, "role", ""), target, is_superuser=getattr(user, "is_superuser", False)
        )
    )
    return NextStep(
        target=target,
        label=str(RoundState(target).label),
        allowed=allowed,
        problems=workflow.step_problems(round_facts(census_round=census_round), target),
        roles=[str(Role(role).label) for role in workflow.step_roles(target)],
    )
