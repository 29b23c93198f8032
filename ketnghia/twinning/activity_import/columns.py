"""The fields of an activity report, named once for the XLSForm, the template and the import.

An ODK Central export names a grouped field `report-date`, KoBoToolbox `report/date`, and a
form without groups `date`; the template writes Vietnamese headers. The reader folds
diacritics, case and punctuation (`imports.readers.header_key`), so each column lists its
grouped name, its bare name and its Vietnamese header, and all of them match.
"""

from __future__ import annotations

from ketnghia.imports.readers import Column

GROUP = "report"

TEAM = "team"
COMMUNE = "commune"
VILLAGE = "village"
DATE = "date"
KIND = "kind"
PARTICIPANTS = "participants"
REACHED_MALE = "reached_male"
REACHED_FEMALE = "reached_female"
REACHED_TOTAL = "reached_total"
REACHED_MINORITY = "reached_minority"
RESOURCES_VND = "resources_vnd"
RESOURCES_IN_KIND = "resources_in_kind"
# Not "notes": KoBoToolbox exports its own "_notes", which folds to the same header.
NOTES = "activity_notes"
PHOTO = "photo"
# Submission metadata (`identity.py` says which one identifies a submission): ODK's
# instanceID (a new one on every edit), Central's KEY (the first version's, kept across
# edits), KoBoToolbox's _uuid (as instanceID), meta/rootUuid (kept across edits) and
# meta/deprecatedID (the version an edit replaces).
INSTANCE = "instance"
KEY = "key"
UUID = "uuid"
ROOT_UUID = "root_uuid"
DEPRECATED = "deprecated"
REVIEW = "review"

# The template's Vietnamese headers (its first accepted name is what the template writes).
HEADERS = {
    TEAM: "Mã tổ công tác",
    COMMUNE: "Mã xã",
    VILLAGE: "Thôn, làng",
    DATE: "Ngày (dd/mm/yyyy)",
    KIND: "Loại hoạt động",
    PARTICIPANTS: "Người tham gia (cách nhau bởi dấu ;)",
    REACHED_MALE: "Số người được tiếp cận: nam",
    REACHED_FEMALE: "Số người được tiếp cận: nữ",
    REACHED_TOTAL: "Tổng số người được tiếp cận",
    REACHED_MINORITY: "Trong đó người dân tộc thiểu số",
    RESOURCES_VND: "Nguồn lực huy động (đồng)",
    RESOURCES_IN_KIND: "Hiện vật",
    NOTES: "Ghi chú",
}
# Shorter spellings an officer may write by hand.
_ALIASES = {
    TEAM: ("Tổ công tác", "team_id"),
    COMMUNE: ("commune_code", "Xã"),
    VILLAGE: ("Mã thôn", "Thôn"),
    DATE: ("Ngày", "Ngày hoạt động"),
    KIND: ("Loại",),
    PARTICIPANTS: ("Người tham gia",),
    REACHED_MALE: ("Nam",),
    REACHED_FEMALE: ("Nữ",),
    REACHED_TOTAL: ("Tổng số",),
    REACHED_MINORITY: ("Dân tộc thiểu số", "DTTS"),
    RESOURCES_VND: ("Nguồn lực (đồng)", "Số tiền (đồng)"),
    RESOURCES_IN_KIND: ("Nguồn lực hiện vật",),
    NOTES: ("Ghi chu hoat dong",),
}
# The fields of the form's report group, in the form's order.
REPORT_FIELDS = (
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
REQUIRED = frozenset({DATE, KIND})
# The order of the template's columns (the team column only in a commune's template).
TEMPLATE_FIELDS = tuple(field for field in REPORT_FIELDS if field != COMMUNE)


def _names(field: str) -> tuple[str, ...]:
    header = HEADERS.get(field)
    names: tuple[str, ...] = (header,) if header else ()
    return (*names, f"{GROUP}/{field}", field, *_ALIASES.get(field, ()))


def import_columns() -> tuple[Column, ...]:
    """Return the columns the import reads, from an ODK or KoBo export or the template."""
    return (
        *(Column(field, _names(field), required=field in REQUIRED) for field in REPORT_FIELDS),
        Column(PHOTO, (f"{GROUP}/{PHOTO}", PHOTO), required=False),
        Column(INSTANCE, ("meta/instanceID", "instanceID"), required=False),
        Column(KEY, ("KEY",), required=False),
        Column(UUID, ("_uuid",), required=False),
        Column(ROOT_UUID, ("meta/rootUuid", "rootUuid"), required=False),
        Column(DEPRECATED, ("meta/deprecatedID", "deprecatedID"), required=False),
        Column(REVIEW, ("ReviewState", "_validation_status"), required=False),
    )
