"""`demo_load` against the database: the whole demo, loaded once for the module."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q

from ketnghia.accounts.models import Role, User
from ketnghia.census.models import CensusEntry, CensusRound, RoundState, RoundSummary, Status
from ketnghia.census.rules import Transition, transition_counts, transitions
from ketnghia.census.selectors import (
    APPROVED_STATES,
    commune_census_summary,
    commune_census_summary_live,
)
from ketnghia.core.gate import Action, scope_for
from ketnghia.core.models import Dataset, holds_demo_data
from ketnghia.demo.census import STANDARD_PERIODS, YEARS
from ketnghia.demo.generator import DEMO_PASSWORD, demo_load
from ketnghia.geo.models import ClassificationScheme, Unit, UnitClassification, UnitLevel
from ketnghia.households.ethnicities import ETHNIC_GROUP_NAMES
from ketnghia.households.models import Household, Member, Relation
from ketnghia.poverty.rules import classify_many, deprivation_matrix_from_bits
from ketnghia.poverty.standards import get_standard, standard_for_year
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.programs.selectors import (
    program_communes_on,
    program_get,
    program_key_communes_on,
)
from ketnghia.twinning.models import Organisation, Twinning

pytestmark = pytest.mark.django_db
ON = date(2015, 12, 31)
MODELS = (
    Unit,
    UnitClassification,
    Program,
    ProgramCommune,
    Organisation,
    Twinning,
    User,
    Dataset,
    Household,
    Member,
    CensusRound,
    CensusEntry,
)


def _counts() -> dict[str, int]:
    counts = {}
    for model in MODELS:
        counts[model.__name__] = model.objects.count()
        history = getattr(model, "history", None)
        if history is not None:
            counts[f"history of {model.__name__}"] = history.count()
    return counts


def _program_codes(*, key_only: bool = False) -> list[str]:
    program = program_get("nq04")
    communes = (program_key_communes_on if key_only else program_communes_on)(
        program=program, on=ON
    )
    return list(communes.values_list("code", flat=True))


def _official_entries(year: int, communes: list[str]):
    return CensusEntry.objects.filter(
        round__year=year, round__state__in=APPROVED_STATES, round__commune__code__in=communes
    )


def _rate(year: int, communes: list[str]) -> float:
    """Return the household-weighted poor rate (%) of `year` over `communes`, from the rounds."""
    figures = _official_entries(year, communes).aggregate(
        households=Count("id"), poor=Count("id", filter=Q(status=Status.POOR))
    )
    return 100 * figures["poor"] / figures["households"]


def _commune_rates(year: int, communes: list[str]) -> dict[str, float]:
    rows = (
        _official_entries(year, communes)
        .values("round__commune__code")
        .annotate(households=Count("id"), poor=Count("id", filter=Q(status=Status.POOR)))
    )
    return {row["round__commune__code"]: 100 * row["poor"] / row["households"] for row in rows}


# --- Units, program, twinning, users --------------------------------------------------------


def test_demo_counts(demo):
    program = program_get("nq04")
    communes = program_communes_on(program=program, on=ON)
    keys = program_key_communes_on(program=program, on=ON)
    assert communes.count() == 53
    assert keys.count() == 20
    assert set(keys) <= set(communes)
    assert Unit.objects.filter(level=UnitLevel.COMMUNE, path__startswith="/62/").count() == 102
    villages = Unit.objects.filter(level=UnitLevel.VILLAGE)
    assert villages.count() == 409
    # 53 provincial bodies; the district offices come with the network (test_twinning.py).
    assert Organisation.objects.exclude(kind="district_office").count() == 53
    # 53 from 2007, and the twinning network's reassignments.
    assert Twinning.objects.filter(start_date=date(2007, 1, 1)).count() == 53
    assert demo.villages_created == 409


def test_every_village_is_under_a_program_commune(demo):
    program = program_get("nq04")
    communes = set(program_communes_on(program=program, on=ON).values_list("pk", flat=True))
    parents = set(Unit.objects.filter(level=UnitLevel.VILLAGE).values_list("parent", flat=True))
    assert parents == communes


def test_one_demo_user_per_role_and_the_marker(demo):
    users = User.objects.exclude(role="")
    assert sorted(users.values_list("role", flat=True)) == sorted(Role.values)
    for user in users:
        assert user.jurisdiction_id or user.organisation_id, user.username
        assert user.check_password(DEMO_PASSWORD)
    assert holds_demo_data()
    description = Dataset.objects.get(kind=Dataset.DEMO).description
    assert "not at hand" in description and "chưa có" in description
    assert "households" in description and "hộ gia đình" in description.lower()
    assert "not at hand" in program_get("nq04").description


def test_commune_officer_and_twinning_member_see_one_program_commune(demo):
    program = program_get("nq04")
    for username in ("demo-commune", "demo-twinning"):
        scope = scope_for(User.objects.get(username=username), Action.VIEW)
        assert program_communes_on(program=program, on=date.today(), scope=scope).count() == 1


def test_demo_logins_prints_one_row_per_user(demo):
    out = StringIO()
    call_command("demo-logins", stdout=out)
    text = out.getvalue()
    for username in ("demo-admin", "demo-commune", "demo-twinning", "demo-moderator"):
        assert username in text
    assert DEMO_PASSWORD in text
    assert "Huyện Đắk Hà (615)" in text


def test_classifications_for_2016_2020(demo):
    regions = UnitClassification.objects.filter(scheme=ClassificationScheme.COMMUNE_REGION)
    assert regions.count() == 102
    assert regions.filter(value="III").count() == 49
    flagged = UnitClassification.objects.filter(
        scheme=ClassificationScheme.ESPECIALLY_DIFFICULT_VILLAGE
    )
    assert 0 < flagged.count() < 409
    assert not flagged.exclude(unit__level=UnitLevel.VILLAGE).exists()


def test_running_twice_gives_the_same_database(demo):
    first = _counts()
    memberships = list(ProgramCommune.objects.values_list("commune__code", "is_key", "valid_to"))
    report = demo_load()
    assert _counts() == first
    assert list(ProgramCommune.objects.values_list("commune__code", "is_key", "valid_to")) == (
        memberships
    )
    assert (report.villages_created, report.villages_updated, report.users_created) == (0, 0, [])
    written = (
        report.households_created,
        report.members_created,
        report.rounds_created,
        report.entries_created,
    )
    assert written == (0, 0, 0, 0)


def test_a_missing_round_is_filled_in_and_nothing_else_changes(demo):
    census_round = CensusRound.objects.get(commune__code=_program_codes()[0], year=2012)
    entries = census_round.entries.count()
    statuses = dict(census_round.entries.values_list("household__code", "status"))
    census_round.entries.all().delete()
    census_round.delete()
    before = _counts()
    report = demo_load()
    after = _counts()
    assert (report.rounds_created, report.entries_created) == (1, entries)
    assert (report.households_created, report.members_created) == (0, 0)
    assert after["CensusRound"] == before["CensusRound"] + 1
    again = CensusRound.objects.get(commune=census_round.commune, year=2012)
    assert dict(again.entries.values_list("household__code", "status")) == statuses


# --- Households and members -----------------------------------------------------------------


def test_households_per_program_commune(demo):
    codes = _program_codes()
    per_commune = dict(
        Household.objects.filter(
            Q(registered_year__lte=2015) & (Q(left_year__isnull=True) | Q(left_year__gt=2015))
        )
        .values_list("commune__code")
        .annotate(n=Count("id"))
    )
    assert sorted(per_commune) == sorted(codes)
    assert min(per_commune.values()) >= 340 and max(per_commune.values()) <= 1100
    # Communes with more villages have more households.
    villages = dict(
        Unit.objects.filter(level=UnitLevel.VILLAGE)
        .values_list("parent__code")
        .annotate(n=Count("id"))
    )
    big = [per_commune[c] for c in codes if villages[c] >= 10]
    small = [per_commune[c] for c in codes if villages[c] <= 5]
    assert sum(big) / len(big) > 1.5 * sum(small) / len(small)
    assert demo.households_created == Household.objects.count()


def test_households_live_in_a_village_of_their_commune_with_derived_paths(demo):
    assert not Household.objects.exclude(village__parent=F("commune")).exists()
    assert not Household.objects.exclude(unit_path=F("village__path")).exists()
    assert not Household.objects.exclude(code__regex=r"^\d\d-\d{3}$").exists()
    assert not Household.objects.exclude(area="rural").exists()


def test_households_appear_and_leave(demo):
    founded = Household.objects.filter(registered_year__gt=2007)
    left = Household.objects.filter(left_year__isnull=False)
    total = Household.objects.count()
    assert 0.15 * total < founded.count() < 0.4 * total
    assert 0.03 * total < left.count() < 0.2 * total
    # A household appears in the rounds of the years it was there, and only those.
    household = left.filter(registered_year=2007).order_by("pk").first()
    years = sorted(household.census_entries.values_list("round__year", flat=True))
    assert years == list(range(2007, household.left_year))
    newer = founded.filter(left_year__isnull=True).order_by("pk").first()
    years = sorted(newer.census_entries.values_list("round__year", flat=True))
    assert years == list(range(newer.registered_year, 2026))


def test_members_one_head_each_plausible_names_and_synthetic_ids(demo):
    heads = Member.objects.filter(relation=Relation.HEAD)
    assert heads.count() == Household.objects.count()
    assert not heads.exclude(full_name=F("household__head_name")).exists()
    assert set(Member.objects.values_list("ethnicity", flat=True).distinct()) <= set(
        ETHNIC_GROUP_NAMES
    )
    peoples = Counter(heads.values_list("ethnicity", flat=True))
    assert {"14", "13", "27", "10", "01"} <= set(peoples)  # Xơ-đăng, Ba-na, Gié-Triêng, ...
    assert peoples["14"] == max(peoples.values())  # Xơ-đăng are the most numerous
    ids = list(Member.objects.exclude(personal_id="").values_list("personal_id", flat=True))
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"000[0-3]\d{8}", number) for number in ids)
    # Children have no ID card.
    assert not Member.objects.filter(birth_year__gt=2011).exclude(personal_id="").exists()
    names = list(heads.values_list("full_name", "ethnicity")[:2000])
    highland = [name for name, people in names if people in {"13", "14", "27"}]
    assert sum(name.startswith(("A ", "Y ", "Đinh ")) for name in highland) > 0.9 * len(highland)
    kinh = [name for name, people in names if people == "01"]
    assert all(len(name.split()) >= 3 for name in kinh)
    sizes = Counter(Member.objects.values_list("household", flat=True))
    assert 3.5 < sum(sizes.values()) / len(sizes) < 5.5


# --- Census rounds --------------------------------------------------------------------------


def test_one_round_per_program_commune_and_year_under_the_standard_of_its_period(demo):
    rounds = CensusRound.objects.all()
    assert rounds.count() == 53 * len(YEARS) == demo.rounds_created
    assert set(rounds.values_list("commune__code", flat=True)) == set(_program_codes())
    for code, first, last in STANDARD_PERIODS:
        years = set(rounds.filter(standard_code=code).values_list("year", flat=True))
        assert years == set(range(first, last + 1))
        assert all(standard_for_year(year).code == code for year in years)
    assert not rounds.exclude(unit_path=F("commune__path")).exists()


def test_rounds_are_accepted_with_their_facts_except_a_few_of_the_last_year(demo):
    accepted = CensusRound.objects.filter(state=RoundState.PROVINCE_ACCEPTED)
    pending = CensusRound.objects.exclude(state=RoundState.PROVINCE_ACCEPTED)
    assert set(pending.values_list("year", flat=True)) == {2025}
    assert 3 <= pending.count() <= 8
    assert accepted.count() + pending.count() == 53 * len(YEARS)
    officer = User.objects.get(username="demo-commune")
    assert pending.get(commune=officer.jurisdiction).state == RoundState.COLLECTED
    district = User.objects.get(username="demo-district")
    assert pending.filter(
        commune__parent=district.jurisdiction, state=RoundState.COMMUNE_APPROVED
    ).exists()
    for census_round in accepted:
        assert census_round.meeting_date.year == census_round.year
        assert 2 * census_round.meeting_agreeing >= census_round.meeting_participants > 0
        assert census_round.meeting_date <= census_round.posting_start
        assert census_round.posting_start < census_round.posting_end
        approved = census_round.commune_approved_at
        assert census_round.posting_end <= approved.date()
        assert approved < census_round.district_accepted_at < census_round.province_accepted_at
    collected = pending.get(state=RoundState.COLLECTED)
    assert collected.meeting_date is None and collected.commune_approved_at is None
    assert collected.entries.exists()


def test_approvals_name_who_took_them(demo):
    admin, officer, district = (
        User.objects.get(username=name) for name in ("demo-admin", "demo-commune", "demo-district")
    )
    accepted = CensusRound.objects.filter(state=RoundState.PROVINCE_ACCEPTED)
    assert not accepted.exclude(province_accepted_by=admin).exists()
    own = accepted.filter(commune=officer.jurisdiction)
    assert own.count() == 18 and not own.exclude(commune_approved_by=officer).exists()
    in_district = accepted.filter(commune__parent=district.jurisdiction)
    assert not in_district.exclude(district_accepted_by=district).exists()
    assert (
        not accepted.exclude(commune=officer.jurisdiction)
        .exclude(commune_approved_by=admin)
        .exists()
    )
    assert not CensusRound.objects.filter(
        commune_approved_at__isnull=False, commune_approved_by__isnull=True
    ).exists()


def test_the_officers_census_pages_render(demo, client):
    officer = User.objects.get(username="demo-commune")
    client.force_login(officer)
    commune = officer.jurisdiction.code
    household = Household.objects.filter(commune=officer.jurisdiction).order_by("code").first()
    for url in (
        f"/census/{commune}/",
        f"/census/{commune}/2015/",
        f"/census/{commune}/2025/",
        household.get_absolute_url(),
    ):
        assert client.get(url).status_code == 200, url
    assert household.head_name in client.get(household.get_absolute_url()).content.decode()


def test_entries_snapshot_their_household(demo):
    entries = CensusEntry.objects.all()
    assert entries.count() == demo.entries_created
    assert not entries.exclude(household_code=F("household__code")).exists()
    assert not entries.exclude(head_name=F("household__head_name")).exists()
    assert not entries.exclude(village_code=F("household__village__code")).exists()
    assert not entries.exclude(round__commune=F("household__commune")).exists()
    assert not entries.exclude(status=F("computed_status")).exists()
    assert not entries.exclude(override_reason="").exists()
    assert not entries.filter(member_count__lt=1).exists()
    # Before 2016 the standards are income-only: nothing to be deprived on.
    assert not entries.filter(round__year__lt=2016).exclude(deprivations=0).exists()
    assert entries.filter(round__year__gte=2016, deprivation_count__gte=3).exists()


def test_no_history_rows_for_generated_data(demo):
    for model in (Household, Member, CensusRound, CensusEntry):
        assert model.history.count() == 0, model.__name__


def test_every_status_is_what_the_rules_give_on_the_stored_facts(demo):
    for code, first, last in STANDARD_PERIODS:
        standard = get_standard(code)
        rows = list(
            CensusEntry.objects.filter(round__year__range=(first, last)).values_list(
                "area",
                "monthly_income_per_person",
                "deprivations",
                "deprivation_count",
                "rule",
                "status",
            )
        )
        areas, incomes, masks, counts, rules, statuses = zip(*rows, strict=True)
        bits = len(standard.indicator_codes)
        result = classify_many(
            standard,
            areas,
            incomes,
            deprivation_matrix_from_bits(masks, bits) if bits else None,
        )
        assert result.status.tolist() == list(statuses), code
        assert result.deprivation_count.tolist() == list(counts), code
        assert result.rule.tolist() == list(rules), code
        assert {Status.POOR, Status.NOT_POOR} <= set(statuses)


# --- The article's figures, computed from the rounds ---------------------------------------


def test_poverty_rate_above_57_in_2007_and_below_35_in_2015(demo):
    communes = _program_codes()
    assert 57 < _rate(2007, communes) < 59
    assert 33 < _rate(2015, communes) < 35


def test_18_of_the_53_communes_under_30_percent_in_2015(demo):
    rates = _commune_rates(2015, _program_codes())
    assert len(rates) == 53
    assert sum(rate < 30 for rate in rates.values()) == 18
    # Clear of the line: the count does not hang on one household.
    assert not [rate for rate in rates.values() if 29 <= rate <= 31]


def test_the_20_key_communes_at_44_percent_in_2015(demo):
    keys = _program_codes(key_only=True)
    assert len(keys) == 20
    assert 43 < _rate(2015, keys) < 45
    rates = _commune_rates(2015, keys)
    assert min(rates.values()) > 30


def test_rates_fall_within_each_standard_and_jump_where_it_changes(demo):
    communes = _program_codes()
    rates = {year: _rate(year, communes) for year in range(2007, 2025)}
    starts = {first for _code, first, _last in STANDARD_PERIODS}
    for year in range(2008, 2025):
        if year in starts:
            assert rates[year] > rates[year - 1] + 8, year
        else:
            assert rates[year] < rates[year - 1], year


def test_households_move_in_and_out_of_poverty(demo):
    communes = _program_codes()

    def statuses(year: int) -> dict[int, str]:
        return dict(_official_entries(year, communes).values_list("household_id", "status"))

    poor_before = {
        household
        for year in range(2007, 2013)
        for household, status in statuses(year).items()
        if status == Status.POOR
    }
    moves = transition_counts(transitions(statuses(2013), statuses(2014), poor_before))
    poor_2013 = sum(1 for s in statuses(2013).values() if s == Status.POOR)
    assert 0.1 * poor_2013 < moves[Transition.EXITED_POVERTY] < 0.4 * poor_2013
    assert moves[Transition.NEWLY_POOR] > 0
    assert moves[Transition.FELL_BACK] > 0
    assert moves[Transition.REMAINED_POOR] > moves[Transition.EXITED_POVERTY]
    assert moves[Transition.NEW_HOUSEHOLD] > 0 and moves[Transition.LEFT] > 0


def test_the_commune_census_page_summary_reads_the_demo(demo):
    officer = User.objects.get(username="demo-commune")
    summary = commune_census_summary(
        scope=scope_for(officer, Action.VIEW), commune=officer.jurisdiction
    )
    assert [s.round.year for s in summary] == list(YEARS)
    assert [s.round.year for s in summary if s.series_break] == [2011, 2016, 2022]
    assert all(s.transitions for s in summary[1:])
    assert all(0 < s.poverty_rate < 100 for s in summary)


def test_the_demo_fills_round_summaries_equal_to_a_fresh_computation(demo):
    assert RoundSummary.objects.count() == CensusRound.objects.count()
    officer = User.objects.get(username="demo-commune")
    scope = scope_for(officer, Action.VIEW)
    stored = commune_census_summary(scope=scope, commune=officer.jurisdiction)
    fresh = commune_census_summary_live(scope=scope, commune=officer.jurisdiction)
    assert [(s.round.pk, s.counts, s.transitions) for s in stored] == [
        (s.round.pk, s.counts, s.transitions) for s in fresh
    ]
