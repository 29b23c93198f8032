"""Every write path leaves the aggregates true (design rule 13): after each service and import,
`aggregates check` (the service behind `ketnghia aggregates check`) finds no difference, and
the stored criteria results equal their inputs evaluated now (`criteria.services
.assessments_check`: a program's list, a region, the twinning network move them too).

Each case writes through the real service, import or admin page on the small program, after a
rebuild; a case that moves a figure is marked so, and the test holds that it did (a write that
moves nothing could not catch a missing refresh).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketnghia.census import services as census_services
from ketnghia.census.importing import census_import
from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.census.tests.census_files import headers, household, write_csv
from ketnghia.core import derived
from ketnghia.core.outputs import xlsx_append
from ketnghia.criteria import services as criteria_services
from ketnghia.criteria.importing import infrastructure_import
from ketnghia.criteria.models import Road
from ketnghia.economy import services as economy_services
from ketnghia.geo.models import UnitClassification
from ketnghia.geo.services import unit_classify, unit_move
from ketnghia.households import services as household_services
from ketnghia.households.models import Household, Member
from ketnghia.indicators import services
from ketnghia.indicators.models import Aggregate
from ketnghia.indicators.tests import fixture
from ketnghia.poverty.standards import get_standard
from ketnghia.programs.models import ProgramCommune
from ketnghia.programs.services import program_communes_set
from ketnghia.support import services as support_services
from ketnghia.twinning import services as twinning_services
from ketnghia.twinning.activity_import.pipeline import activity_import
from ketnghia.twinning.assignment_import import assignments_import
from ketnghia.twinning.models import (
    ActivityKind,
    Assignment,
    AssignmentKind,
    NetworkRules,
    WorkTeam,
)
from ketnghia.twinning.tests.activity_files import central_row, write_central
from ketnghia.twinning.tests.network import party_member

pytestmark = pytest.mark.django_db


@dataclass
class World:
    small: fixture.Small
    tree: Any
    users: Any
    tmp_path: Path
    client: Any


# --- the writes ------------------------------------------------------------------------------


def _census_import(w: World) -> None:
    standard = get_standard("vn-2016")
    census_round = census_services.census_round_create(
        commune=w.tree.dak_mar, year=2016, standard_code="vn-2016"
    )
    flags = [0] * len(standard.indicators)
    rows = [
        household(f"23488-{i:03d}", f"Hộ {i}", "Thôn 1", "300.000", flags, surveyed_on="15/10/2016")
        for i in range(1, 6)
    ]
    path = write_csv(w.tmp_path / "ra-soat.csv", headers(standard), rows)
    census_import(census_round=census_round, path=path, actor=w.users.commune_officer)


def _approval(w: World) -> None:
    census_services.census_round_advance(
        census_round=w.small.pending, target="commune_approved", actor=w.users.commune_officer
    )


def _return(w: World) -> None:
    census_services.census_round_return(
        census_round=CensusRound.objects.get(commune=w.tree.dak_mar, year=2015),
        reason="Sai số hộ",
        actor=w.users.district_officer,
    )


def _revision(w: World) -> None:
    approved = CensusRound.objects.get(commune=w.tree.dak_mar, year=2015)
    revision = census_services.census_round_revise(census_round=approved, actor=None)
    entry = CensusEntry.objects.get(round=revision, household_code="M4")
    census_services.census_entry_override(
        entry=entry, status="poor", reason="Hộ mất nhà do lũ", actor=w.users.commune_officer
    )
    officer = w.users.commune_officer
    census_services.census_round_record_meeting(
        census_round=revision,
        meeting_date=date(2015, 10, 1),
        participants=30,
        agreeing=25,
        minutes=SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n% Bien ban hop thon\n"),
        actor=officer,
    )
    for step in ("village_meeting", "posted", "commune_approved"):
        census_services.census_round_advance(census_round=revision, target=step, actor=officer)


def _household_edit(w: World) -> None:
    found = Household.objects.get(commune=w.tree.dak_mar, code="M1")
    household_services.household_update(
        household=found,
        head_name=found.head_name,
        village=w.tree.village_b.code,
        address="Thôn 1",
        actor=None,
    )
    head = Member.objects.get(household=found, relation="head")
    household_services.member_update(
        member=head,
        full_name=head.full_name,
        sex=head.sex,
        birth_year=head.birth_year,
        ethnicity="01",  # Kinh: the household moves to the other ethnicity row
        relation=head.relation,
        actor=None,
    )


def _infrastructure_set(w: World) -> None:
    criteria_services.infrastructure_set(
        commune=w.tree.dak_choong, year=2015, values={"road_to_centre": Road.ALL_SEASON}, actor=None
    )


def _infrastructure_import(w: World) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Hạ tầng"
    xlsx_append(sheet, ["Hạ tầng các xã"])
    xlsx_append(
        sheet,
        [
            "Mã xã",
            "Năm",
            "Đường ô tô đến trung tâm xã",
            "Điện lưới (%)",
            "Trạm y tế đạt chuẩn",
            "Trường mầm non",
            "Trường tiểu học",
            "Trường THCS",
            "Nước sạch (%)",
            "Sóng di động (%)",
            "Nhà văn hóa xã",
        ],
    )
    xlsx_append(sheet, ["23290", 2015, "Quanh năm", 90, "có", 1, 1, 1, 80, 100, "có"])
    book.save(w.tmp_path / "ha-tang.xlsx")
    infrastructure_import(path=w.tmp_path / "ha-tang.xlsx", actor=None)


def _manual_assessment(w: World) -> None:
    criteria_services.manual_assessment_record(
        unit=w.tree.village_a,
        year=2015,
        set_code="nvv-example",
        criterion_code=_assessed_criterion(),
        met=True,
        evidence="Biên bản họp thôn",
        assessor_name="Y Hoa",
        assessed_on=date(2015, 12, 1),
        actor=None,
    )


def _assessed_criterion() -> str:
    from ketnghia.criteria.selectors import criteria_set_get

    chosen = criteria_set_get(code="nvv-example", level="village", year=2015)
    return next(c.code for c in chosen.criteria if c.kind == "assessed")


def _program_list(w: World) -> None:
    program_communes_set(
        program=w.small.program,
        communes=[w.tree.ngok_wang, w.tree.dak_choong],
        key_communes=[w.tree.dak_choong],
        valid_from=date(2015, 1, 1),
        decision="12/QĐ-UBND",
        actor=None,
    )


def _region(w: World) -> None:
    unit_classify(
        unit=w.tree.dak_mar,
        scheme="commune_region",
        value="III",
        start_year=2014,
        end_year=2020,
        actor=None,
    )


def _assignment_create(w: World) -> None:
    twinning_services.assignment_create(
        kind=AssignmentKind.MEMBER_HOUSEHOLD,
        person=party_member("A Thuận", w.tree.dak_mar, w.tree.village_b),
        household=Household.objects.get(commune=w.tree.dak_mar, code="M1"),
        start_date=date(2015, 1, 1),
        actor=None,
    )


def _assignment_end(w: World) -> None:
    twinning_services.assignment_end(
        assignment=Assignment.objects.get(kind=AssignmentKind.MEMBER_HOUSEHOLD),
        end_date=date(2015, 6, 30),
        actor=None,
    )


HEADER = [
    "Loại phân công",
    "Mã xã",
    "Thôn, làng",
    "Mã hộ",
    "Đơn vị phụ trách",
    "Mã người phụ trách",
    "Họ tên người phụ trách",
    "Từ ngày",
    "Đến ngày",
    "Số quyết định",
    "Ngày quyết định",
]


def _assignments_file(w: World, rows: int) -> Path:
    """Party members of Đăk Mar in charge of `rows` of its poor households from 2016."""
    NetworkRules.objects.filter(program=w.small.program).update(max_households_per_party_member=10)
    incomes = {f"B{i:03d}": 300_000 for i in range(rows)}
    fixture.approve(
        fixture.make_round(w.tree.dak_mar, 2016, "vn-2016", incomes, village=w.tree.village_b),
        w.users.commune_officer,
    )
    members = [
        party_member(f"Đảng viên {i}", w.tree.dak_mar, w.tree.village_b)
        for i in range((rows + 9) // 10)
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Phân công"
    sheet.append(HEADER)
    for i, code in enumerate(incomes):
        sheet.append(
            [
                *("Đảng viên → hộ", "23488", "", code, "", members[i // 10].pk, ""),
                *(date(2016, 1, 1), None, "", None),
            ]
        )
    path = w.tmp_path / "phan-cong.xlsx"
    book.save(path)
    return path


def _assignment_import_small(w: World) -> None:
    report = assignments_import(path=_assignments_file(w, 2), actor=w.users.commune_officer)
    assert report.created == 2


# Every assignments file is written set-based; this one holds many rows.
BULK_ROWS = 55


def _assignment_import_bulk(w: World) -> None:
    report = assignments_import(path=_assignments_file(w, BULK_ROWS), actor=None)
    assert report.created == BULK_ROWS


def _activity_confirm(w: World) -> None:
    activity = twinning_services.activity_record(
        team=WorkTeam.objects.get(commune=w.tree.ngok_wang),
        date=date(2015, 3, 3),
        kind=ActivityKind.VISIT,
        actor=None,
    )
    twinning_services.activity_confirm(activity=activity, actor=w.users.commune_officer)


def _activity_import(w: World) -> None:
    team = WorkTeam.objects.get(commune=w.tree.ngok_wang)
    row = central_row(
        team=f"t{team.pk}", commune="23500", day="2015-04-02", kind="visit", uuid="a-1"
    )
    path = write_central(w.tmp_path / "hoat-dong.csv", [row])
    report = activity_import(path=path, user=w.users.province_admin)
    assert report.created == 1


def _commune_move(w: World) -> None:
    # A village holding households may no longer change commune (it is refused: see
    # geo/tests/test_village_moves.py); a commune changing district moves the district rows.
    # (A district left with none loses its rows: tests/test_stale_rows.py.)
    unit_move(unit=w.tree.dak_mar, new_parent=w.tree.dak_glei, actor=None)


def _admin_delete(w: World) -> None:
    membership = ProgramCommune.objects.get(program=w.small.program, commune=w.tree.dak_choong)
    w.client.force_login(w.users.province_admin)
    url = reverse("admin:programs_programcommune_delete", args=[membership.pk])
    assert w.client.post(url, {"post": "yes"}).status_code == 302
    assert not ProgramCommune.objects.filter(pk=membership.pk).exists()


def _admin_region_delete(w: World) -> None:
    found = unit_classify(
        unit=w.tree.dak_mar,
        scheme="commune_region",
        value="III",
        start_year=2014,
        end_year=2020,
        actor=None,
    )
    w.client.force_login(w.users.province_admin)
    url = reverse("admin:geo_unitclassification_delete", args=[found.pk])
    assert w.client.post(url, {"post": "yes"}).status_code == 302
    assert not UnitClassification.objects.filter(pk=found.pk).exists()


def _model_result(w: World) -> None:
    model = economy_services.economic_model_create(
        code="bo",
        name="Nuôi bò",
        kind="livestock",
        village=w.tree.village_b,
        start_date=date(2014, 1, 1),
        actor=None,
    )
    economy_services.model_result_record(
        model=model, year=2015, output=3, income_per_household=9_000_000, actor=None
    )


def _model_replication(w: World) -> None:
    origin = economy_services.economic_model_create(
        code="bo",
        name="Nuôi bò",
        kind="livestock",
        village=w.tree.village_a,
        start_date=date(2012, 1, 1),
        actor=None,
    )
    copy = economy_services.economic_model_create(
        code="bo-2",
        name="Nuôi bò (nhân rộng)",
        kind="livestock",
        village=w.tree.village_b,
        start_date=date(2014, 1, 1),
        actor=None,
    )
    economy_services.model_result_record(
        model=copy, year=2015, output=3, income_per_household=9_000_000, actor=None
    )
    assert services.aggregates_check() == []
    economy_services.economic_model_replicate_from(model=copy, origin=origin, actor=None)


def _support_cycle(w: World, *, approve: bool = True) -> Any:
    """A provincial livestock cycle in Ngọk Wang for its 2015 poor households, approved."""
    document = support_services.document_create(
        program=w.small.program,
        number="12/QĐ-UBND",
        issued_on=date(2016, 3, 1),
        issuer="Ủy ban nhân dân tỉnh",
        kind="decision",
        unit=w.tree.province,
        actor=None,
    )
    fund = support_services.fund_create(
        document=document, year=2016, source="province", unit=w.tree.province, actor=None
    )
    support_services.fund_allocate(
        fund=fund, amount=100_000_000, entered_on=date(2016, 3, 1), actor=None
    )
    package = support_services.package_create(
        document=document,
        name="Bò giống",
        kind="livestock",
        form="in_kind",
        unit="con",
        unit_value=10_000_000,
        quantity="1",
        recipient_level="household",
        target_rule="poor == 1",
        actor=None,
    )
    cycle = support_services.cycle_create(
        package=package,
        fund=fund,
        commune=w.tree.ngok_wang,
        name="Bò giống 2016",
        decision_date=date(2016, 4, 1),
        census_as_of=date(2015, 12, 31),
        actor=w.users.commune_officer,
    )
    support_services.cycle_propose(cycle=cycle, actor=w.users.commune_officer)
    support_services.cycle_submit(cycle=cycle, actor=w.users.commune_officer)
    if approve:
        support_services.cycle_approve(
            cycle=cycle, actor=w.users.district_officer, on=date(2016, 4, 2)
        )
    return cycle


def _support_delivery(w: World) -> None:
    cycle = _support_cycle(w)
    first = cycle.deliveries.order_by("id").first()
    support_services.cycle_deliver(
        cycle=cycle,
        delivered_on=date(2016, 4, 10),
        quantities={first.pk: "0"},  # one recipient absent on the day
        actor=w.users.commune_officer,
    )


def _support_reconcile(w: World) -> None:
    cycle = _support_cycle(w)
    support_services.cycle_deliver(
        cycle=cycle, delivered_on=date(2016, 4, 10), actor=w.users.commune_officer
    )
    support_services.cycle_reconcile(cycle=cycle, actor=w.users.commune_officer)


def _support_cancel(w: World) -> None:
    cycle = _support_cycle(w)
    support_services.cycle_cancel(
        cycle=cycle, reason="Hết mùa giống", actor=w.users.district_officer
    )


@dataclass(frozen=True)
class Case:
    write: Callable[[World], None]
    moves: bool | None  # whether the figures move (None: not asserted either way)


CASES = {
    "census import": Case(_census_import, True),
    "census approval": Case(_approval, True),
    "census return": Case(_return, True),
    "census revision": Case(_revision, True),
    "household edit": Case(_household_edit, True),
    "infrastructure input": Case(_infrastructure_set, True),
    "infrastructure import": Case(_infrastructure_import, True),
    "manual criteria assessment": Case(_manual_assessment, None),
    "program commune list change": Case(_program_list, True),
    "region change": Case(_region, True),
    "assignment create": Case(_assignment_create, True),
    "assignment end": Case(_assignment_end, True),
    "assignment import, small": Case(_assignment_import_small, True),
    "assignment import, bulk": Case(_assignment_import_bulk, True),
    "activity confirm": Case(_activity_confirm, True),
    "activity import": Case(_activity_import, False),
    "commune move to another district": Case(_commune_move, True),
    "program commune deleted in the admin": Case(_admin_delete, True),
    "region deleted in the admin": Case(_admin_region_delete, None),
    "economic model result": Case(_model_result, True),
    "economic model replication": Case(_model_replication, True),
    "support cycle delivered": Case(_support_delivery, True),
    "support cycle delivered and reconciled": Case(_support_reconcile, True),
    "support cycle approved then cancelled": Case(_support_cancel, False),
}


def _figures() -> dict[tuple, tuple[float, float]]:
    return {
        (a.indicator, a.unit_id, a.period, a.disaggregation, a.official): (
            a.numerator,
            a.denominator,
        )
        for a in Aggregate.objects.all()
    }


@pytest.mark.parametrize("name", list(CASES))
def test_every_write_leaves_no_difference(name, tree, users, tmp_path, client):
    world = World(fixture.small_program(tree, users), tree, users, tmp_path, client)
    services.aggregates_rebuild()
    assert services.aggregates_check() == []
    assert criteria_services.assessments_check() == []
    before = _figures()
    case = CASES[name]
    case.write(world)
    assert services.aggregates_check() == [], name
    assert criteria_services.assessments_check() == [], name
    if case.moves is not None:
        assert (_figures() != before) is case.moves, name


def test_one_census_approval_refreshes_each_derived_table_once(
    tree, users, monkeypatch, django_assert_num_queries
):
    small = fixture.small_program(tree, users)
    services.aggregates_rebuild()
    made: list[tuple[str, list[int], list[int] | None]] = []

    def recorded(refresher: derived.Refresher) -> derived.Refresher:
        def callback(**kwargs: Any) -> object:
            made.append((refresher.name, kwargs["commune_ids"], kwargs["years"]))
            return refresher.callback(**kwargs)

        return derived.Refresher(refresher.name, callback, refresher.reads, refresher.writes)

    monkeypatch.setattr(derived, "_ordered", [recorded(r) for r in derived.refreshers()])
    with CaptureQueriesContext(connection) as queries:
        census_services.census_round_advance(
            census_round=small.pending, target="commune_approved", actor=users.commune_officer
        )
    commune = tree.dak_choong.pk
    # The criteria of the approved year first, then the aggregates of the commune once, every
    # year (coverage reads the latest approved round of a year or before).
    # The estimates (the exit-rate difference, issue 19) read census approvals: once, for the
    # year; with nothing delivered they read the program's support and write nothing.
    assert made == [
        ("criteria.assessments", [commune], [2015]),
        ("indicators.estimates", [commune], [2015]),
        ("indicators.aggregates", [commune], None),
    ]
    # On SQLite 117 queries before (two aggregate refreshes, one for the year through the
    # criteria, one for every year through the round summary); the bulk paths differ by
    # backend (COPY on PostgreSQL), so the number is held per backend. The economic models'
    # facts are one more GROUP BY in the refresh; two more: the districts and provinces left
    # without a commune (their rows removed), the data version; one more: the support
    # deliveries' GROUP BY (nothing delivered here, so nothing more is read). The entries' head
    # ethnicity refreshed in the round refresh (two UPDATEs) and the census facts counted in one
    # pass (one statement fewer): one more; PostgreSQL sets work_mem for the facts and turns
    # sorts off around the pass over the entries (three more). The province's stored
    # dashboards are written after the commit by a task (`dashboards.tasks`), not here. Eight
    # more: the estimates' refresh (its savepoint, the units above the commune, the program
    # lists, the program, its deliveries — none, so no census is read — and the delete of its
    # rows). On PostgreSQL eight fewer: the pass over the entries reads the rounds and the
    # chosen years as arrays, not two staging tables (create, load, index and analyse, drop).
    assert len(queries) == {"sqlite": 100, "postgresql": 96}[connection.vendor], [
        q["sql"] for q in queries.captured_queries
    ]
    assert services.aggregates_check() == []
