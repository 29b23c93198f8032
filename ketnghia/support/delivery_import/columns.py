"""The columns of a delivery file, named once for the template, the XLSForm and the import.

The template writes the Vietnamese headers; an ODK Central export names a grouped field
`delivery-quantity`, KoBoToolbox `delivery/quantity`, a form without groups `quantity`. The
reader folds diacritics, case and punctuation, so each field lists all three.
"""

from __future__ import annotations

from ketnghia.imports.spec import Field

GROUP = "delivery"

CYCLE = "cycle"
COMMUNE = "commune"
VILLAGE = "village"
HOUSEHOLD = "household"
HEAD = "head"
ENTITLED = "entitled"
QUANTITY = "quantity"
DELIVERED_ON = "delivered_on"
SOURCE = "source"
OVERRIDE = "override_reason"
# Not "notes": KoBoToolbox exports its own "_notes", which folds to the same header.
NOTE = "difference_note"


def _names(key: str, *other: str) -> tuple[str, ...]:
    return (f"{GROUP}/{key}", f"{GROUP}-{key}", key, *other)


FIELDS = (
    Field(
        CYCLE,
        "Mã đợt cấp phát",
        _names(CYCLE, "Đợt cấp phát"),
        type="code",
        help="Số của đợt cấp phát (điền sẵn trong mẫu của đợt)",
    ),
    Field(COMMUNE, "Mã xã", _names(COMMUNE, "commune_code"), type="code"),
    Field(VILLAGE, "Thôn, làng", _names(VILLAGE, "Thôn"), help="Để biết; không nhập"),
    Field(
        HOUSEHOLD,
        "Mã hộ",
        _names(HOUSEHOLD, "household_code", "Mã hộ gia đình"),
        type="code",
        required=True,
        help="Mã hộ như trong danh sách điều tra của xã",
    ),
    Field(HEAD, "Họ tên chủ hộ", _names(HEAD, "Chủ hộ"), help="Để biết; không nhập"),
    Field(ENTITLED, "Định mức được cấp", _names(ENTITLED, "Định mức"), help="Để biết; không nhập"),
    Field(
        QUANTITY,
        "Số lượng đã nhận",
        _names(QUANTITY, "Số lượng", "Số lượng thực nhận"),
        type="decimal",
        required=True,
        help="Số lượng hộ đã thực nhận; không quá định mức và mức tối đa của gói",
    ),
    Field(
        DELIVERED_ON,
        "Ngày cấp (dd/mm/yyyy)",
        _names(DELIVERED_ON, "Ngày cấp", "Ngày nhận"),
        type="date",
        required=True,
        help="Không trước ngày quyết định của đợt, không sau hôm nay",
    ),
    Field(
        SOURCE,
        "Nguồn kinh phí",
        _names(SOURCE, "Nguồn vốn"),
        help="Nguồn của quỹ trả cho đợt (điền sẵn)",
    ),
    Field(
        OVERRIDE,
        "Lý do cấp ngoài đối tượng",
        _names(OVERRIDE, "Lý do ngoài đối tượng"),
        help="Bắt buộc khi hộ không thuộc đối tượng của gói",
    ),
    Field(
        NOTE,
        "Giải trình chênh lệch",
        _names(NOTE, "Ghi chú chênh lệch"),
        help="Vì sao hộ nhận khác định mức",
    ),
)
BY_KEY = {field.key: field for field in FIELDS}
# The template's columns, in order (the cycle and commune are its document properties).
TEMPLATE_FIELDS = tuple(f for f in FIELDS if f.key not in {CYCLE, COMMUNE})
