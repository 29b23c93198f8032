"""The Kon Tum Resolution 04 demo: a plan drawn from a seeded random generator, then written.

`plan_demo` is pure: from Kon Tum's communes (real codes and names from the national list) it
picks the program's 53 communes and 20 key communes, names 409 villages, classifies communes and
villages for 2016–2020, pairs twinning units with communes and describes one user per role.
`demo_load` writes that plan through the services, in one transaction, and is idempotent: the
same seed gives the same plan, and rows that already hold the planned values are left alone.

What is invented is said on the records themselves (program and data set descriptions): the
official 2007 list is not at hand, so the communes are drawn from the rural communes of the
mountainous districts.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ketnghia.accounts.models import Actor, User
from ketnghia.accounts.rules import Role
from ketnghia.accounts.services import user_create, user_set_jurisdiction
from ketnghia.core.bulk import analyze
from ketnghia.core.models import Dataset
from ketnghia.demo.census_load import write_census
from ketnghia.demo.criteria import CriteriaReport, write_criteria
from ketnghia.demo.economy import EconomyReport, write_models
from ketnghia.demo.households import CommuneFrame, VillageFrame
from ketnghia.demo.names import spread, village_names
from ketnghia.demo.registry import CensusInput
from ketnghia.demo.rounds import Approvers, pending_rounds
from ketnghia.demo.targets import write_targets
from ketnghia.demo.twinning import NetworkReport, write_network
from ketnghia.geo.models import ClassificationScheme, Unit, UnitLevel
from ketnghia.geo.reform import ReformReport, reform_2025_load_from_package
from ketnghia.geo.rules import ESPECIALLY_DIFFICULT, village_code
from ketnghia.geo.services import unit_classify, units_load_from_package
from ketnghia.indicators.services import aggregates_rebuild
from ketnghia.portal.demo import write_bulletins
from ketnghia.programs.models import Program
from ketnghia.programs.services import program_communes_set, program_create
from ketnghia.support.demo import SupportReport, write_support
from ketnghia.twinning.models import Organisation, OrganisationKind, Twinning

SEED = 2007
PROVINCE_CODE = "62"
# Thành phố Kon Tum is the provincial city, not a mountainous district.
CITY_DISTRICT_CODES = frozenset({"608"})
# Ia H'Drai was formed in 2015 (from Sa Thầy) with new communes: none existed in 2007.
FORMED_AFTER_START_DISTRICT_CODES = frozenset({"618"})

PROGRAM_CODE = "nq04"
PROGRAM_START = date(2007, 1, 1)
PROGRAM_COMMUNE_COUNT = 53
KEY_COMMUNE_COUNT = 20
VILLAGE_COUNT = 409
VILLAGES_PER_COMMUNE = (4, 12)

REGION_PERIOD = (2016, 2020)
REGION_LEGAL_BASIS = "Quyết định 582/QĐ-TTg (2017) — phân loại từng xã là giả lập (demo)"
ED_VILLAGE_LEGAL_BASIS = "Quyết định 582/QĐ-TTg (2017) — danh sách thôn là giả lập (demo)"
# Kon Tum's published totals for 2016–2020: 25 region-I, 28 region-II, 49 region-III communes.
# The demo keeps the totals; which commune has which region is drawn at random.
REGION_TOTALS = {"I": 25, "II": 28, "III": 49}
PROGRAM_COMMUNES_IN_REGION_II = 8
ED_VILLAGE_SHARE = {"III": 0.8, "II": 0.35, "I": 0.0}

DEMO_PASSWORD = "demo-kontum-04"  # local demo only: `ketnghia demo` refuses to run without DEBUG

PROGRAM_NAME = (
    "Nghị quyết 04-NQ/TU của Tỉnh ủy Kon Tum về đẩy mạnh xây dựng các xã đặc biệt khó khăn"
)
PROGRAM_LEGAL_DOCUMENT = (
    "Nghị quyết 04-NQ/TU của Tỉnh ủy Kon Tum khóa XIII, năm 2007 (số, ngày chưa đối chiếu)"
)
PROGRAM_DESCRIPTION = (
    "Dữ liệu demo. Chưa có văn bản gốc của Nghị quyết 04 (Tỉnh ủy Kon Tum khóa XIII, 2007) "
    "nên số hiệu và ngày ban hành chưa đối chiếu; ngày bắt đầu ghi tạm 01/01/2007. Danh sách "
    "chính thức năm 2007 (53 xã đặc biệt khó khăn, 20 xã trọng điểm) cũng chưa có: bộ sinh dữ "
    "liệu demo chọn ngẫu nhiên (hạt giống cố định) trong các xã nông thôn của các huyện miền núi, "
    "không gồm thành phố Kon Tum và huyện Ia H'Drai (lập năm 2015). Khi có văn bản, quản trị "
    "viên cập nhật danh sách.\n\n"
    "Demo data. The text of Resolution 04 (Kon Tum Provincial Party Committee, term XIII, 2007) "
    "is not at hand, so its exact number and date are unchecked; the start date is recorded as "
    "1 January 2007. The official 2007 list (53 especially difficult communes, 20 key communes) "
    "is not at hand either: the demo generator picked rural communes of the mountainous "
    "districts at random with a fixed seed, leaving out Kon Tum city and Ia H'Drai district "
    "(formed in 2015). An administrator replaces the list when the documents are available."
)
MEMBERSHIP_DECISION = "Danh sách demo do bộ sinh dữ liệu chọn (chưa có danh sách chính thức 2007)"
TWINNING_DECISION = "Phân công giả lập (demo)"
DATASET_DESCRIPTION = (
    "Dữ liệu demo của Nghị quyết 04 tỉnh Kon Tum. Tên và mã tỉnh, huyện, xã là thật (danh mục "
    "hành chính trước năm 2025). Danh sách chính thức năm 2007 của 53 xã đặc biệt khó khăn chưa "
    "có: bộ sinh dữ liệu chọn các xã nông thôn của các huyện miền núi. Tên 409 thôn, làng, phân "
    "loại khu vực từng xã, thôn đặc biệt khó khăn, cặp kết nghĩa và người dùng đều là giả lập. "
    "Hộ gia đình, nhân khẩu (họ tên, năm sinh, số định danh bắt đầu bằng 000 — không phải mã "
    "tỉnh nào), thu nhập, thiếu hụt dịch vụ xã hội cơ bản và các đợt rà soát hộ nghèo 2007–2025 "
    "cũng là giả lập, được hiệu chỉnh cho khớp các số liệu bài báo năm 2016 nêu (tỷ lệ hộ nghèo "
    "trên 57% năm 2007, dưới 35% năm 2015; 18/53 xã dưới 30%; 20 xã trọng điểm 44%); số liệu các "
    "năm khác là số tự đặt, không phải số thống kê. Mạng lưới phụ trách cũng là giả lập: "
    "việc phân công lại một số đơn vị kết nghĩa (2009–2014), các phòng ban huyện, cấp ủy viên, đảng "
    "viên (họ tên, số điện thoại 0000…) phụ trách thôn và hộ, tổ công tác và các hoạt động "
    "2007–2025 (khoảng 4.800 lượt thăm năm 2018 như bản tin năm 2018 nêu) cùng nguồn lực huy "
    "động. Các mô hình kinh tế (mô hình, hộ tham gia, kết quả hằng năm, việc nhân rộng) cũng là "
    "giả lập. Hỗ trợ 2008–2015 (văn bản, nguồn vốn, gói, đợt cấp phát) là giả lập, và tác động "
    "của nó được cài sẵn: trong các đợt cấp bò giống, mỗi năm sau đó có thêm 15 trên 100 hộ "
    "nghèo được hỗ trợ thoát nghèo so với khi không được hỗ trợ (cây giống và quà tặng không có "
    "tác động), để trang đánh giá hiệu quả hỗ trợ có một kết quả đã biết trước để tìm lại.\n\n"
    "Demo data for Kon Tum's Resolution 04. Province, district and commune names and codes are "
    "real (the pre-2025 national list). The official 2007 list of the 53 especially difficult "
    "communes is not at hand: the generator picked rural communes of the mountainous districts. "
    "The 409 village names, each commune's region, the especially difficult villages, the "
    "twinning pairs and the users are invented. So are the households, their members (names, "
    "birth years, ID numbers starting with 000, which is no province's code), incomes, "
    "deprivations and the poverty census rounds 2007–2025, calibrated to the figures of the 2016 "
    "article (poverty rate above 57 % in 2007, below 35 % in 2015; 18 of the 53 communes under "
    "30 %; the 20 key communes at 44 %); the other years' figures are designed, not statistics. "
    "The responsibility network is invented too: a few twinning units reassigned (2009–2014), "
    "the district offices, committee members and Party members (names, phone numbers 0000…) in "
    "charge of villages and households, the work teams and their activities 2007–2025 (about "
    "4,800 visits in 2018, as a 2018 news item reported) with the resources mobilised. The "
    "economic models (models, participating households, yearly results, replications) are "
    "invented too. The support of 2008–2015 (documents, funds, packages, delivery rounds) is "
    "invented, and its effect planted: of the poor households a breeding-livestock round "
    "reached, 15 in 100 more leave poverty each following year than would have (seedlings and "
    "gifts have none), so the outcome page has a known effect to find."
)

# Provincial bodies that twin with communes (public bodies; which commune each gets is invented).
ORGANISATIONS: tuple[tuple[str, str, str], ...] = tuple(
    (name, short, kind)
    for kind, rows in (
        (
            OrganisationKind.PROVINCIAL_AGENCY,
            (
                ("Sở Nông nghiệp và Phát triển nông thôn tỉnh Kon Tum", "Sở NN&PTNT"),
                ("Sở Y tế tỉnh Kon Tum", "Sở Y tế"),
                ("Sở Giáo dục và Đào tạo tỉnh Kon Tum", "Sở GD&ĐT"),
                ("Sở Tài chính tỉnh Kon Tum", "Sở Tài chính"),
                ("Sở Kế hoạch và Đầu tư tỉnh Kon Tum", "Sở KH&ĐT"),
                ("Sở Xây dựng tỉnh Kon Tum", "Sở Xây dựng"),
                ("Sở Giao thông vận tải tỉnh Kon Tum", "Sở GTVT"),
                ("Sở Tài nguyên và Môi trường tỉnh Kon Tum", "Sở TN&MT"),
                ("Sở Công Thương tỉnh Kon Tum", "Sở Công Thương"),
                ("Sở Lao động – Thương binh và Xã hội tỉnh Kon Tum", "Sở LĐ-TB&XH"),
                ("Sở Văn hóa, Thể thao và Du lịch tỉnh Kon Tum", "Sở VHTT&DL"),
                ("Sở Khoa học và Công nghệ tỉnh Kon Tum", "Sở KH&CN"),
                ("Sở Thông tin và Truyền thông tỉnh Kon Tum", "Sở TT&TT"),
                ("Sở Tư pháp tỉnh Kon Tum", "Sở Tư pháp"),
                ("Sở Nội vụ tỉnh Kon Tum", "Sở Nội vụ"),
                ("Sở Ngoại vụ tỉnh Kon Tum", "Sở Ngoại vụ"),
                ("Thanh tra tỉnh Kon Tum", "Thanh tra tỉnh"),
                ("Văn phòng Ủy ban nhân dân tỉnh Kon Tum", "VP UBND tỉnh"),
                ("Ban Dân tộc tỉnh Kon Tum", "Ban Dân tộc"),
                ("Ban Quản lý Khu kinh tế tỉnh Kon Tum", "BQL Khu kinh tế"),
                ("Văn phòng Tỉnh ủy Kon Tum", "VP Tỉnh ủy"),
                ("Ban Tổ chức Tỉnh ủy Kon Tum", "Ban Tổ chức TU"),
                ("Ban Tuyên giáo Tỉnh ủy Kon Tum", "Ban Tuyên giáo TU"),
                ("Ban Dân vận Tỉnh ủy Kon Tum", "Ban Dân vận TU"),
                ("Ủy ban Kiểm tra Tỉnh ủy Kon Tum", "UBKT Tỉnh ủy"),
                ("Đảng ủy Khối các cơ quan tỉnh Kon Tum", "ĐU Khối cơ quan"),
                ("Đảng ủy Khối doanh nghiệp tỉnh Kon Tum", "ĐU Khối doanh nghiệp"),
                ("Kho bạc Nhà nước tỉnh Kon Tum", "KBNN tỉnh"),
                ("Cục Thuế tỉnh Kon Tum", "Cục Thuế"),
                ("Bảo hiểm xã hội tỉnh Kon Tum", "BHXH tỉnh"),
                ("Cục Thống kê tỉnh Kon Tum", "Cục Thống kê"),
                ("Trường Chính trị tỉnh Kon Tum", "Trường Chính trị"),
                ("Bệnh viện Đa khoa tỉnh Kon Tum", "BVĐK tỉnh"),
                ("Đài Phát thanh – Truyền hình tỉnh Kon Tum", "Đài PT-TH"),
                ("Báo Kon Tum", "Báo Kon Tum"),
                ("Ngân hàng Nhà nước chi nhánh tỉnh Kon Tum", "NHNN chi nhánh"),
                ("Ngân hàng Chính sách xã hội chi nhánh tỉnh Kon Tum", "NHCSXH chi nhánh"),
            ),
        ),
        (
            OrganisationKind.ARMED_FORCES,
            (
                ("Bộ Chỉ huy Quân sự tỉnh Kon Tum", "BCH Quân sự tỉnh"),
                ("Công an tỉnh Kon Tum", "Công an tỉnh"),
                ("Bộ Chỉ huy Bộ đội Biên phòng tỉnh Kon Tum", "BĐBP tỉnh"),
            ),
        ),
        (
            OrganisationKind.MASS_ORGANISATION,
            (
                ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Kon Tum", "UB MTTQ tỉnh"),
                ("Hội Nông dân tỉnh Kon Tum", "Hội Nông dân"),
                ("Hội Liên hiệp Phụ nữ tỉnh Kon Tum", "Hội LHPN"),
                ("Tỉnh đoàn Kon Tum", "Tỉnh đoàn"),
                ("Hội Cựu chiến binh tỉnh Kon Tum", "Hội CCB"),
                ("Liên đoàn Lao động tỉnh Kon Tum", "LĐLĐ tỉnh"),
                ("Liên minh Hợp tác xã tỉnh Kon Tum", "Liên minh HTX"),
            ),
        ),
        (
            OrganisationKind.ENTERPRISE,
            (
                ("Công ty TNHH MTV Cao su Kon Tum", "Cao su Kon Tum"),
                ("Công ty Điện lực Kon Tum", "Điện lực Kon Tum"),
                ("Viễn thông Kon Tum", "Viễn thông"),
                ("Bưu điện tỉnh Kon Tum", "Bưu điện tỉnh"),
                (
                    "Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh tỉnh Kon Tum",
                    "Agribank",
                ),
                ("Công ty Cổ phần Cấp nước Kon Tum", "Cấp nước Kon Tum"),
            ),
        ),
    )
    for name, short in rows
)
TWINNING_MEMBER_ORGANISATION = ORGANISATIONS[0][0]
# One invented user per role (no real person's name).
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("demo-admin", Role.PROVINCE_ADMIN, "Quản trị tỉnh (demo)"),
    ("demo-viewer", Role.PROVINCE_VIEWER, "Ban chỉ đạo tỉnh (demo)"),
    ("demo-district", Role.DISTRICT_OFFICER, "Cán bộ huyện (demo)"),
    ("demo-commune", Role.COMMUNE_OFFICER, "Cán bộ xã (demo)"),
    ("demo-twinning", Role.TWINNING_MEMBER, "Thành viên đơn vị kết nghĩa (demo)"),
    ("demo-editor", Role.PUBLIC_EDITOR, "Biên tập viên cổng thông tin (demo)"),
    ("demo-moderator", Role.PUBLIC_MODERATOR, "Kiểm duyệt viên ý kiến (demo)"),
)
# The commune officer's commune is a key commune of this district when there is one.
PREFERRED_OFFICER_DISTRICT = "615"  # Huyện Đắk Hà


# --- The plan (pure) ------------------------------------------------------------------------


@dataclass(frozen=True)
class CommuneInfo:
    """What the plan needs to know about one commune of the national list."""

    code: str
    name: str
    kind: str
    district_code: str


@dataclass(frozen=True)
class VillagePlan:
    code: str
    name: str
    kind: str
    commune_code: str
    especially_difficult: bool


@dataclass(frozen=True)
class UserPlan:
    username: str
    role: str
    full_name: str
    jurisdiction_code: str | None = None
    organisation_name: str | None = None
    is_staff: bool = False


@dataclass
class DemoPlan:
    program_communes: list[str]
    key_communes: list[str]
    villages: list[VillagePlan]
    regions: dict[str, str]
    twinnings: list[tuple[str, str]]
    users: list[UserPlan] = field(default_factory=list)


def is_candidate(commune: CommuneInfo) -> bool:
    """Return whether a commune may be drawn for the program: a rural xã of a mountainous district."""
    return (
        commune.kind == "xa"
        and commune.district_code not in CITY_DISTRICT_CODES
        and commune.district_code not in FORMED_AFTER_START_DISTRICT_CODES
    )


def _plan_regions(
    rng: random.Random, communes: list[CommuneInfo], program: list[str], keys: set[str]
) -> dict[str, str]:
    """Give every commune a 2016–2020 region, keeping Kon Tum's published totals where possible.

    Key communes are region III; a few other program communes region II; outside the program,
    wards and townships are region I and rural communes fill what the totals leave, those of the
    mountainous districts first.
    """
    regions: dict[str, str] = {}
    non_key = [code for code in program if code not in keys]
    in_region_ii = set(rng.sample(non_key, min(PROGRAM_COMMUNES_IN_REGION_II, len(non_key))))
    for code in program:
        regions[code] = "II" if code in in_region_ii else "III"
    program_set = set(program)
    outside = [c for c in communes if c.code not in program_set]
    urban = [c for c in outside if c.kind != "xa"]
    rural = [c for c in outside if c.kind == "xa"]
    rng.shuffle(rural)
    rural.sort(key=lambda c: c.district_code in CITY_DISTRICT_CODES)  # stable: mountains first
    left_iii = max(0, REGION_TOTALS["III"] - len(program) + len(in_region_ii))
    left_ii = max(0, REGION_TOTALS["II"] - len(in_region_ii))
    for index, commune in enumerate(rural):
        regions[commune.code] = (
            "III" if index < left_iii else "II" if index < left_iii + left_ii else "I"
        )
    for commune in urban:
        regions[commune.code] = "I"
    return regions


def _plan_users(plan: DemoPlan, communes: dict[str, CommuneInfo]) -> list[UserPlan]:
    officer_commune = next(
        (c for c in plan.key_communes if communes[c].district_code == PREFERRED_OFFICER_DISTRICT),
        plan.key_communes[0],
    )
    jurisdictions: dict[str, str | None] = {
        Role.PROVINCE_ADMIN: PROVINCE_CODE,
        Role.PROVINCE_VIEWER: PROVINCE_CODE,
        Role.DISTRICT_OFFICER: communes[officer_commune].district_code,
        Role.COMMUNE_OFFICER: officer_commune,
        # A twinning-unit member answers for the communes their unit is twinned with.
        Role.TWINNING_MEMBER: None,
        # Public roles reach no protected units; the province is the portal they work for.
        Role.PUBLIC_EDITOR: PROVINCE_CODE,
        Role.PUBLIC_MODERATOR: PROVINCE_CODE,
    }
    return [
        UserPlan(
            username=username,
            role=role,
            full_name=full_name,
            jurisdiction_code=jurisdictions[role],
            organisation_name=TWINNING_MEMBER_ORGANISATION
            if role == Role.TWINNING_MEMBER
            else None,
            is_staff=role == Role.PROVINCE_ADMIN,
        )
        for username, role, full_name in DEMO_USERS
    ]


def plan_demo(communes: Iterable[CommuneInfo], seed: int = SEED) -> DemoPlan:
    """Return the demo for Kon Tum's communes; the same communes and seed give the same plan."""
    rng = random.Random(seed)
    communes = sorted(communes, key=lambda c: c.code)
    by_code = {c.code: c for c in communes}
    candidates = [c.code for c in communes if is_candidate(c)]
    if len(candidates) < PROGRAM_COMMUNE_COUNT:
        raise ValueError(
            f"only {len(candidates)} candidate communes, {PROGRAM_COMMUNE_COUNT} needed"
        )
    program = sorted(rng.sample(candidates, PROGRAM_COMMUNE_COUNT))
    keys = sorted(rng.sample(program, KEY_COMMUNE_COUNT))
    regions = _plan_regions(rng, communes, program, set(keys))

    villages: list[VillagePlan] = []
    counts = spread(rng, VILLAGE_COUNT, len(program), *VILLAGES_PER_COMMUNE)
    for commune_code, count in zip(program, counts, strict=True):
        share = ED_VILLAGE_SHARE[regions[commune_code]]
        for number, village in enumerate(village_names(rng, count), start=1):
            villages.append(
                VillagePlan(
                    code=village_code(commune_code, number),
                    name=village.name,
                    kind=village.kind,
                    commune_code=commune_code,
                    especially_difficult=rng.random() < share,
                )
            )

    organisations = [name for name, _short, _kind in ORGANISATIONS]
    rng.shuffle(organisations)
    twinnings = list(zip(organisations, program, strict=False))
    plan = DemoPlan(
        program_communes=program,
        key_communes=keys,
        villages=villages,
        regions=regions,
        twinnings=twinnings,
    )
    plan.users = _plan_users(plan, by_code)
    return plan


# --- Writes ---------------------------------------------------------------------------------


@dataclass
class DemoReport:
    """What `demo_load` found and did."""

    program_communes: int = 0
    key_communes: int = 0
    villages_created: int = 0
    villages_updated: int = 0
    classifications: int = 0
    organisations_created: int = 0
    twinnings_created: int = 0
    users_created: list[str] = field(default_factory=list)
    households_created: int = 0
    members_created: int = 0
    rounds_created: int = 0
    entries_created: int = 0
    criteria: CriteriaReport | None = None
    aggregates: int = 0
    network: NetworkReport = field(default_factory=NetworkReport)
    economy: EconomyReport = field(default_factory=EconomyReport)
    reform: ReformReport | None = None
    support: SupportReport | None = None
    bulletins: int = 0
    seconds: float = 0.0


def _kon_tum_communes() -> list[CommuneInfo]:
    rows = Unit.objects.filter(
        level=UnitLevel.COMMUNE, path__startswith=f"/{PROVINCE_CODE}/"
    ).values_list("code", "name", "kind", "parent__code")
    return [CommuneInfo(*row) for row in rows]


def _write_villages(plan: DemoPlan, actor: Actor, report: DemoReport) -> dict[str, Unit]:
    communes = Unit.objects.in_bulk(plan.program_communes, field_name="code")
    existing = Unit.objects.in_bulk([v.code for v in plan.villages], field_name="code")
    to_create, to_update = [], []
    for village in plan.villages:
        parent = communes[village.commune_code]
        unit = existing.get(village.code)
        if unit is None:
            unit = Unit(
                code=village.code,
                name=village.name,
                level=UnitLevel.VILLAGE,
                kind=village.kind,
                parent=parent,
            )
            unit.set_derived_fields()
            to_create.append(unit)
        elif (unit.name, unit.kind, unit.parent_id, unit.level) != (
            village.name,
            village.kind,
            parent.pk,
            UnitLevel.VILLAGE,
        ):
            unit.name, unit.kind, unit.parent, unit.level = (
                village.name,
                village.kind,
                parent,
                UnitLevel.VILLAGE,
            )
            unit.set_derived_fields()
            to_update.append(unit)
    if to_create:
        bulk_create_with_history(to_create, Unit, batch_size=500, default_user=actor)
    if to_update:
        bulk_update_with_history(
            to_update,
            Unit,
            ["name", "kind", "parent", "level", "path", "search_name"],
            batch_size=500,
            default_user=actor,
        )
    report.villages_created, report.villages_updated = len(to_create), len(to_update)
    return Unit.objects.in_bulk([v.code for v in plan.villages], field_name="code")


def _write_program(plan: DemoPlan, actor: Actor, report: DemoReport) -> None:
    program = Program.objects.filter(code=PROGRAM_CODE).first()
    if program is None:
        program = program_create(
            code=PROGRAM_CODE,
            name=PROGRAM_NAME,
            legal_document=PROGRAM_LEGAL_DOCUMENT,
            start_date=PROGRAM_START,
            description=PROGRAM_DESCRIPTION,
            actor=actor,
        )
    communes = Unit.objects.in_bulk(plan.program_communes, field_name="code")
    program_communes_set(
        program=program,
        communes=[communes[code] for code in plan.program_communes],
        key_communes=[communes[code] for code in plan.key_communes],
        valid_from=PROGRAM_START,
        decision=MEMBERSHIP_DECISION,
        actor=actor,
    )
    report.program_communes = len(plan.program_communes)
    report.key_communes = len(plan.key_communes)


def _write_classifications(
    plan: DemoPlan, villages: dict[str, Unit], actor: Actor, report: DemoReport
) -> None:
    """Classify through `unit_classify`, which leaves a row holding the same value untouched."""
    start, end = REGION_PERIOD
    communes = Unit.objects.in_bulk(list(plan.regions), field_name="code")
    wanted: list[tuple[Unit, str, str, str]] = [
        (communes[code], ClassificationScheme.COMMUNE_REGION, region, REGION_LEGAL_BASIS)
        for code, region in plan.regions.items()
    ]
    wanted += [
        (
            villages[village.code],
            ClassificationScheme.ESPECIALLY_DIFFICULT_VILLAGE,
            ESPECIALLY_DIFFICULT,
            ED_VILLAGE_LEGAL_BASIS,
        )
        for village in plan.villages
        if village.especially_difficult
    ]
    for unit, scheme, value, legal_basis in wanted:
        unit_classify(
            unit=unit,
            scheme=scheme,
            value=value,
            start_year=start,
            end_year=end,
            legal_basis=legal_basis,
            actor=actor,
        )
    report.classifications = len(wanted)


def _write_twinnings(plan: DemoPlan, actor: Actor, report: DemoReport) -> None:
    province = Unit.objects.get(code=PROVINCE_CODE)
    existing = Organisation.objects.in_bulk([name for name, *_ in ORGANISATIONS], field_name="name")
    new = [
        Organisation(name=name, short_name=short, kind=kind, province=province)
        for name, short, kind in ORGANISATIONS
        if name not in existing
    ]
    if new:
        bulk_create_with_history(new, Organisation, default_user=actor)
        existing = Organisation.objects.in_bulk(
            [name for name, *_ in ORGANISATIONS], field_name="name"
        )
    communes = Unit.objects.in_bulk(plan.program_communes, field_name="code")
    already = set(
        Twinning.objects.filter(start_date=PROGRAM_START).values_list(
            "organisation_id", "commune_id"
        )
    )
    twinnings = [
        Twinning(
            organisation=existing[name],
            commune=communes[code],
            start_date=PROGRAM_START,
            decision=TWINNING_DECISION,
        )
        for name, code in plan.twinnings
        if (existing[name].pk, communes[code].pk) not in already
    ]
    if twinnings:
        bulk_create_with_history(twinnings, Twinning, default_user=actor)
    report.organisations_created, report.twinnings_created = len(new), len(twinnings)


def _write_users(plan: DemoPlan, actor: Actor, report: DemoReport) -> None:
    units = Unit.objects.in_bulk(
        [u.jurisdiction_code for u in plan.users if u.jurisdiction_code], field_name="code"
    )
    organisations = Organisation.objects.in_bulk(
        [u.organisation_name for u in plan.users if u.organisation_name], field_name="name"
    )
    existing = User.objects.in_bulk([u.username for u in plan.users], field_name="username")
    for spec in plan.users:
        jurisdiction = units[spec.jurisdiction_code] if spec.jurisdiction_code else None
        organisation = organisations[spec.organisation_name] if spec.organisation_name else None
        user = existing.get(spec.username)
        if user is None:
            user_create(
                username=spec.username,
                password=DEMO_PASSWORD,
                role=spec.role,
                jurisdiction=jurisdiction,
                organisation=organisation,
                actor=actor,
                first_name=spec.full_name,
                is_staff=spec.is_staff,
            )
            report.users_created.append(spec.username)
        elif (user.role, user.jurisdiction_id, user.organisation_id) != (
            spec.role,
            jurisdiction.pk if jurisdiction else None,
            organisation.pk if organisation else None,
        ):
            user_set_jurisdiction(
                user=user,
                role=spec.role,
                jurisdiction=jurisdiction,
                organisation=organisation,
                actor=actor,
            )


def census_input(plan: DemoPlan, communes: Iterable[CommuneInfo], seed: int) -> CensusInput:
    """Return what household and census planning needs from the demo plan (pure)."""
    by_code = {c.code: c for c in communes}
    frames = [
        CommuneFrame(code, by_code[code].name, by_code[code].district_code)
        for code in plan.program_communes
    ]
    user = {u.role: u for u in plan.users}
    officer = user[Role.COMMUNE_OFFICER]
    assert officer.jurisdiction_code is not None
    district_officer = user[Role.DISTRICT_OFFICER]
    approvers = Approvers(
        province_admin=user[Role.PROVINCE_ADMIN].username,
        commune_officer=officer.username,
        officer_commune=officer.jurisdiction_code,
        district_officer=district_officer.username,
        officer_district=district_officer.jurisdiction_code,
    )
    return CensusInput(
        communes=frames,
        villages=[VillageFrame(v.code, v.name, v.kind, v.commune_code) for v in plan.villages],
        key_communes=frozenset(plan.key_communes),
        regions={code: plan.regions[code] for code in plan.program_communes},
        pending=pending_rounds(random.Random(seed), frames, officer.jurisdiction_code),
        approvers=approvers,
    )


def _write_census(
    plan: DemoPlan,
    communes: list[CommuneInfo],
    villages: dict[str, Unit],
    seed: int,
    report: DemoReport,
) -> None:
    written = write_census(
        census_input(plan, communes, seed),
        seed=seed,
        commune_units=Unit.objects.in_bulk(plan.program_communes, field_name="code"),
        village_units=villages,
    )
    report.households_created = written.households_created
    report.members_created = written.members_created
    report.rounds_created = written.rounds_created
    report.entries_created = written.entries_created


def _write_marker() -> None:
    dataset = Dataset.objects.filter(kind=Dataset.DEMO).first()
    if dataset is None:
        Dataset.objects.create(kind=Dataset.DEMO, description=DATASET_DESCRIPTION)
    elif dataset.description != DATASET_DESCRIPTION:
        dataset.description = DATASET_DESCRIPTION
        dataset.save(update_fields=["description", "loaded_at"])


@transaction.atomic
def demo_load(*, actor: Actor = None, seed: int = SEED) -> DemoReport:
    """Load the Kon Tum Resolution 04 demo; a second run with the same seed changes nothing."""
    started = time.perf_counter()
    report = DemoReport()
    units_load_from_package(province_codes=[PROVINCE_CODE], actor=actor)
    communes = _kon_tum_communes()
    plan = plan_demo(communes, seed=seed)
    villages = _write_villages(plan, actor, report)
    _write_program(plan, actor, report)
    _write_classifications(plan, villages, actor, report)
    _write_twinnings(plan, actor, report)
    _write_users(plan, actor, report)
    _write_census(plan, communes, villages, seed, report)
    report.network = write_network(
        seed=seed, twinning_member_organisation=TWINNING_MEMBER_ORGANISATION, actor=actor
    )
    report.economy = write_models(
        program=Program.objects.get(code=PROGRAM_CODE), seed=seed, actor=actor
    )
    report.criteria = write_criteria(
        communes=list(Unit.objects.filter(code__in=plan.program_communes)),
        villages=list(villages.values()),
        seed=seed,
        actor=actor,
    )
    # Support delivered 2008–2015 (synthetic): documents, funds, cycles on the census above.
    report.support = write_support(program_code=PROGRAM_CODE, seed=seed, actor=actor)
    # The units after the 2025 reform (Kon Tum into Quảng Ngãi) and their successions, from
    # the vietnamadminunits package, so that figures can be shown under the new communes.
    report.reform = reform_2025_load_from_package(province_codes=[PROVINCE_CODE], actor=actor)
    _write_marker()
    analyze()  # the rebuild and every read after the load plan with the loaded tables' sizes
    report.aggregates = aggregates_rebuild()
    write_targets(actor=actor)
    report.bulletins = _write_bulletins()
    report.seconds = time.perf_counter() - started
    return report


def _write_bulletins() -> int:
    """Publish the demo's bulletins (built from its review report) with demo comments."""
    users = {u.username: u for u in demo_users()}
    return write_bulletins(
        editor=users["demo-editor"],
        moderator=users["demo-moderator"],
        province=Unit.objects.get(code=PROVINCE_CODE, level=UnitLevel.PROVINCE),
        program=Program.objects.get(code=PROGRAM_CODE),
    )


def demo_users() -> list[User]:
    """Return the demo users present in the database, one per role in role order."""
    usernames = [username for username, _role, _name in DEMO_USERS]
    found = User.objects.select_related("jurisdiction", "organisation").in_bulk(
        usernames, field_name="username"
    )
    return [found[username] for username in usernames if username in found]
