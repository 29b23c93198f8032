"""A small network built through the real services, for the twinning tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ketnghia.conftest import Tree, make_unit
from ketnghia.geo.models import Unit, UnitKind, UnitLevel
from ketnghia.households.models import Household
from ketnghia.twinning import services
from ketnghia.twinning.models import Organisation, OrganisationKind, Person, PersonRole


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
