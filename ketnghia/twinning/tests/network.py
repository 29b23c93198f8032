"""A small network built through the real services, for the twinning tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ketnghia.census.tests.factories import series
from ketnghia.conftest import Tree, make_unit
from ketnghia.geo.models import Unit, UnitKind, UnitLevel
from ketnghia.households.models import Household
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.twinning import services
from ketnghia.twinning.models import (
    ActivityKind,
    AssignmentKind,
    NetworkRules,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
)


def household(commune: Unit, code: str, village: Unit | None = None) -> Household:
    created = Household(commune=commune, code=code, head_name=f"Chủ hộ {code}", village=village)
    created.save()
    return created


def party_member(name: str, commune: Unit, village: Unit | None = None, **extra) -> Person:
    return services.person_create(
        full_name=name,
        sex="male",
        ethnicity="14",
        role=PersonRole.PARTY_MEMBER,
        active_from=date(2007, 1, 1),
        commune=commune,
        village=village,
        actor=None,
        **extra,
    )


def committee_member(name: str, commune: Unit) -> Person:
    return services.person_create(
        full_name=name,
        sex="female",
        ethnicity="14",
        role=PersonRole.COMMITTEE_MEMBER,
        active_from=date(2007, 1, 1),
        commune=commune,
        phone="0905123456",
        actor=None,
    )


@dataclass
class Network:
    agency: Organisation
    office: Organisation
    village_a2: Unit


def network(tree: Tree) -> Network:
    agency = services.organisation_create(
        name="Sở Y tế tỉnh Kon Tum",
        kind=OrganisationKind.PROVINCIAL_AGENCY,
        province=tree.province,
        actor=None,
    )
    office = services.organisation_create(
        name="Phòng Nông nghiệp huyện Đắk Hà",
        kind=OrganisationKind.DISTRICT_OFFICE,
        province=tree.province,
        district=tree.dak_ha,
        actor=None,
    )
    village_a2 = make_unit(
        "23500-02", "Thôn Kon Rơ", UnitLevel.VILLAGE, UnitKind.THON, tree.ngok_wang
    )
    return Network(agency=agency, office=office, village_a2=village_a2)


def covered_network(tree, users) -> tuple[Program, Network]:
    """Ngọk Wang twinned, one of its two villages with an office, the other with a committee
    member; of the 2015 round's poor households (A, D) only A has a Party member."""
    series(tree, users)
    program = Program.objects.create(code="nq04", name="NQ04", start_date=date(2007, 1, 1))
    for commune in (tree.ngok_wang, tree.dak_mar):
        ProgramCommune.objects.create(program=program, commune=commune, valid_from=date(2007, 1, 1))
    NetworkRules.objects.create(program=program, max_households_per_party_member=1)
    net = network(tree)
    services.twinning_create(
        organisation=net.agency, commune=tree.ngok_wang, start_date=date(2007, 6, 1), actor=None
    )
    services.assignment_create(
        kind=AssignmentKind.OFFICE_VILLAGE,
        organisation=net.office,
        village=tree.village_a,
        start_date=date(2010, 1, 1),
        actor=None,
    )
    services.assignment_create(
        kind=AssignmentKind.COMMITTEE_VILLAGE,
        person=committee_member("Y Hoa", tree.ngok_wang),
        village=net.village_a2,
        start_date=date(2010, 1, 1),
        actor=None,
    )
    member = party_member("Y Blong", tree.ngok_wang, tree.village_a)
    services.assignment_create(
        kind=AssignmentKind.MEMBER_HOUSEHOLD,
        person=member,
        household=Household.objects.get(commune=tree.ngok_wang, code="A"),
        start_date=date(2010, 1, 1),
        actor=None,
    )
    cadre = services.person_create(
        full_name="Trần Văn Bình",
        sex="male",
        ethnicity="01",
        role=PersonRole.CADRE,
        active_from=date(2007, 1, 1),
        organisation=net.agency,
        actor=None,
    )
    team = services.work_team_create(
        name="Tổ công tác",
        organisation=net.agency,
        commune=tree.ngok_wang,
        start_date=date(2015, 1, 1),
        members=[cadre],
        actor=None,
    )
    for day, kind in (
        (date(2015, 2, 1), ActivityKind.VISIT),
        (date(2015, 8, 9), ActivityKind.TRAINING),
    ):
        activity = services.activity_record(
            team=team, date=day, kind=kind, resources_vnd=5_000_000, actor=None
        )
    services.activity_confirm(activity=activity, actor=users.commune_officer)
    return program, net
