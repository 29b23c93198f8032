"""The columns of an assignments file and the words officers write in them (pure, no ORM).

Headers are matched as the census import matches them (`imports.readers.header_key`: no
diacritics, case or punctuation); the template writes each column under its first name.
"""

from __future__ import annotations

from ketnghia.imports.readers import Column, header_key
from ketnghia.twinning.models import AssignmentKind, PersonRole

TWINNING = "twinning"
# The four kinds of the network: the twinning (organisation → commune) and the three below it.
KINDS: tuple[str, ...] = (
    TWINNING,
    AssignmentKind.OFFICE_VILLAGE,
    AssignmentKind.COMMITTEE_VILLAGE,
    AssignmentKind.MEMBER_HOUSEHOLD,
)
# What the template's drop-down offers, in order (Vietnamese: the file is the officers').
KIND_LABELS: dict[str, str] = {
    TWINNING: "Kết nghĩa (đơn vị → xã)",
    AssignmentKind.OFFICE_VILLAGE: "Phòng, ban huyện → thôn",
    AssignmentKind.COMMITTEE_VILLAGE: "Cấp ủy viên → thôn",
    AssignmentKind.MEMBER_HOUSEHOLD: "Đảng viên → hộ",
}
_KIND_WORDS: dict[str, str] = {
    TWINNING: TWINNING,
    "ket nghia": TWINNING,
    "don vi ket nghia": TWINNING,
    "office village": AssignmentKind.OFFICE_VILLAGE,
    "phong ban huyen": AssignmentKind.OFFICE_VILLAGE,
    "phong ban": AssignmentKind.OFFICE_VILLAGE,
    "committee village": AssignmentKind.COMMITTEE_VILLAGE,
    "cap uy vien": AssignmentKind.COMMITTEE_VILLAGE,
    "cap uy": AssignmentKind.COMMITTEE_VILLAGE,
    "member household": AssignmentKind.MEMBER_HOUSEHOLD,
    "dang vien": AssignmentKind.MEMBER_HOUSEHOLD,
}
_KIND_WORDS |= {header_key(label): kind for kind, label in KIND_LABELS.items()}
_KIND_WORDS |= {header_key(kind): kind for kind in KINDS}

KIND = "kind"
COMMUNE_CODE = "commune_code"
VILLAGE = "village"
HOUSEHOLD_CODE = "household_code"
ORGANISATION = "organisation"
PERSON = "person"
PERSON_NAME = "person_name"
START = "start_date"
END = "end_date"
DECISION = "decision_number"
DECISION_DATE = "decision_date"

ASSIGNMENT_COLUMNS = (
    Column(KIND, ("Loại phân công", "Loại", "Hình thức phân công", "kind", "assignment kind")),
    Column(COMMUNE_CODE, ("Mã xã", "Mã đơn vị hành chính xã", "commune code"), required=False),
    Column(
        VILLAGE,
        ("Thôn, làng", "Thôn/làng", "Mã thôn", "Thôn", "Làng", "village", "village code"),
        required=False,
    ),
    Column(HOUSEHOLD_CODE, ("Mã hộ", "Mã số hộ", "Mã HGĐ", "household code"), required=False),
    Column(
        ORGANISATION,
        ("Đơn vị phụ trách", "Cơ quan, đơn vị", "Đơn vị", "organisation"),
        required=False,
    ),
    Column(
        PERSON,
        ("Mã người phụ trách", "Mã người", "Mã cán bộ, đảng viên", "person id", "person"),
        required=False,
    ),
    Column(
        PERSON_NAME,
        ("Họ tên người phụ trách", "Người phụ trách", "Họ và tên", "person name"),
        required=False,
    ),
    Column(START, ("Từ ngày", "Ngày bắt đầu", "Ngày phân công", "from", "start date")),
    Column(END, ("Đến ngày", "Ngày kết thúc", "until", "end date"), required=False),
    Column(DECISION, ("Số quyết định", "Quyết định", "decision number"), required=False),
    Column(DECISION_DATE, ("Ngày quyết định", "decision date"), required=False),
)

# The people sheet (or people file): the committee and Party members the file assigns.
FULL_NAME = "full_name"
SEX = "sex"
BIRTH_YEAR = "birth_year"
ETHNICITY = "ethnicity"
PHONE = "phone"
ROLE = "role"
ACTIVE_FROM = "active_from"
ACTIVE_TO = "active_to"

PEOPLE_COLUMNS = (
    Column(PERSON, ("Mã người", "Mã người phụ trách", "Mã cán bộ, đảng viên", "person id")),
    Column(FULL_NAME, ("Họ và tên", "Họ tên", "full name")),
    Column(SEX, ("Giới tính", "sex")),
    Column(BIRTH_YEAR, ("Năm sinh", "birth year"), required=False),
    Column(ETHNICITY, ("Dân tộc", "ethnicity")),
    Column(PHONE, ("Điện thoại", "Số điện thoại", "phone"), required=False),
    Column(ROLE, ("Vai trò", "Chức danh", "role")),
    Column(COMMUNE_CODE, ("Mã xã", "commune code"), required=False),
    Column(VILLAGE, ("Thôn, làng", "Thôn", "Mã thôn", "village"), required=False),
    Column(ACTIVE_FROM, ("Hoạt động từ", "Từ ngày", "active from")),
    Column(ACTIVE_TO, ("Hoạt động đến", "Đến ngày", "active until"), required=False),
)

ROLE_LABELS: dict[str, str] = {
    PersonRole.COMMITTEE_MEMBER: "Cấp ủy viên",
    PersonRole.PARTY_MEMBER: "Đảng viên",
}
_ROLE_WORDS: dict[str, str] = {header_key(label): role for role, label in ROLE_LABELS.items()}
_ROLE_WORDS |= {
    "cap uy": PersonRole.COMMITTEE_MEMBER,
    "uy vien": PersonRole.COMMITTEE_MEMBER,
    "committee member": PersonRole.COMMITTEE_MEMBER,
    "party member": PersonRole.PARTY_MEMBER,
    header_key(PersonRole.COMMITTEE_MEMBER): PersonRole.COMMITTEE_MEMBER,
    header_key(PersonRole.PARTY_MEMBER): PersonRole.PARTY_MEMBER,
}


def kind_of(text: str) -> str | None:
    """Return the kind a cell names ("Đảng viên → hộ", "dang vien", "member_household")."""
    return _KIND_WORDS.get(header_key(text)) if text else None


def role_of(text: str) -> str | None:
    """Return the role a cell names ("Đảng viên", "cấp ủy viên"), None if none."""
    return _ROLE_WORDS.get(header_key(text)) if text else None


def people_sheet(sheets: list[str]) -> str | None:
    """Return the workbook's people sheet ("Người phụ trách", "Danh sách đảng viên"), if any."""
    for sheet in sheets:
        key = header_key(sheet)
        if "nguoi phu trach" in key or "danh sach dang vien" in key or key == "people":
            return sheet
    return None
