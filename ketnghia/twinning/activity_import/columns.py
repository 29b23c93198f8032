"""The fields of an activity report, named once for the XLSForm, the template and the import.

An ODK Central export names a grouped field `report-date`, KoBoToolbox `report/date`, and a
form without groups `date`; the template writes Vietnamese headers. The reader folds
diacritics, case and punctuation (`imports.readers.header_key`), so each field lists its
Vietnamese header, its grouped name, its bare name and the shorter spellings an officer may
write by hand, and all of them match.
"""

from __future__ import annotations

from typing import Any

from ketnghia.imports.spec import Field

GROUP = "report"


def _report(key: str, header: str, *other: str, **options: Any) -> Field:
    return Field(key, header, (f"{GROUP}/{key}", key, *other), **options)


TEAM = _report("team", "Mã tổ công tác", "Tổ công tác", "team_id", type="code")
COMMUNE = _report("commune", "Mã xã", "commune_code", "Xã", type="code")
VILLAGE = _report("village", "Thôn, làng", "Mã thôn", "Thôn")
DATE = _report("date", "Ngày (dd/mm/yyyy)", "Ngày", "Ngày hoạt động", type="date", required=True)
KIND = _report("kind", "Loại hoạt động", "Loại", required=True)
PARTICIPANTS = _report("participants", "Người tham gia (cách nhau bởi dấu ;)", "Người tham gia")
REACHED_MALE = _report("reached_male", "Số người được tiếp cận: nam", "Nam", type="int")
REACHED_FEMALE = _report("reached_female", "Số người được tiếp cận: nữ", "Nữ", type="int")
REACHED_TOTAL = _report("reached_total", "Tổng số người được tiếp cận", "Tổng số", type="int")
REACHED_MINORITY = _report(
    "reached_minority", "Trong đó người dân tộc thiểu số", "Dân tộc thiểu số", "DTTS", type="int"
)
RESOURCES_VND = _report(
    "resources_vnd",
    "Nguồn lực huy động (đồng)",
    "Nguồn lực (đồng)",
    "Số tiền (đồng)",
    type="decimal",
)
RESOURCES_IN_KIND = _report("resources_in_kind", "Hiện vật", "Nguồn lực hiện vật")
# Not "notes": KoBoToolbox exports its own "_notes", which folds to the same header.
NOTES = _report("activity_notes", "Ghi chú", "Ghi chu hoat dong")
PHOTO = Field("photo", f"{GROUP}/photo", ("photo",))
# Submission metadata (`identity.py` says which one identifies a submission): ODK's
# instanceID (a new one on every edit), Central's KEY (the first version's, kept across
# edits), KoBoToolbox's _uuid (as instanceID), meta/rootUuid (kept across edits) and
# meta/deprecatedID (the version an edit replaces).
INSTANCE = Field("instance", "meta/instanceID", ("instanceID",))
KEY = Field("key", "KEY")
UUID = Field("uuid", "_uuid")
ROOT_UUID = Field("root_uuid", "meta/rootUuid", ("rootUuid",))
DEPRECATED = Field("deprecated", "meta/deprecatedID", ("deprecatedID",))
REVIEW = Field("review", "ReviewState", ("_validation_status",))

# The fields of the form's report group, in the form's order.
REPORT = (
    TEAM,
    COMMUNE,
    VILLAGE,
    DATE,
    KIND,
    PARTICIPANTS,
    REACHED_MALE,
    REACHED_FEMALE,
    REACHED_TOTAL,
    REACHED_MINORITY,
    RESOURCES_VND,
    RESOURCES_IN_KIND,
    NOTES,
)
FIELDS = (*REPORT, PHOTO, INSTANCE, KEY, UUID, ROOT_UUID, DEPRECATED, REVIEW)
# The template's columns, in order (the team column only in a commune's template).
TEMPLATE_FIELDS = tuple(field for field in REPORT if field is not COMMUNE)
