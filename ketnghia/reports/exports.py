"""The review's files: JSON, .xlsx and .docx, from a report, its narrative and its heading."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ketnghia.core.models import holds_demo_data
from ketnghia.reports.docx_export import PARTY, SECTIONS, STATE, Heading, review_docx
from ketnghia.reports.domain import ReviewReport, report_to_dict
from ketnghia.reports.xlsx_export import review_xlsx

FORMATS = ("json", "xlsx", "docx")
CONTENT_TYPES = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_PROVINCE_PREFIXES = ("Tỉnh ", "Thành phố ")
_RESOLUTION = re.compile(r"^(.+?)\s+của\s", re.IGNORECASE)


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def place_of(area_name: str) -> str:
    """Return the place of the date line: "Tỉnh Kon Tum" → "Kon Tum"."""
    for prefix in _PROVINCE_PREFIXES:
        if area_name.startswith(prefix):
            return area_name[len(prefix) :]
    return area_name


def default_heading(
    *, program_name: str, province_name: str, area_name: str, style: str = STATE
) -> Heading:
    """Return the heading a review starts with; the user edits it with the narrative.

    A state body: the steering committee of the program ("BAN CHỈ ĐẠO THỰC HIỆN NGHỊ QUYẾT
    04-NQ/TU" from "Nghị quyết 04-NQ/TU của Tỉnh ủy …") under the province's People's
    Committee, signed "TM. BAN CHỈ ĐẠO / TRƯỞNG BAN". A Party body: the province's Party
    committee ("ĐẢNG BỘ TỈNH KON TUM / TỈNH ỦY", "Số    -BC/TU"), signed "T/M BAN THƯỜNG VỤ /
    BÍ THƯ".
    """
    place = place_of(province_name or area_name)
    if style == PARTY:
        return Heading(
            superior=f"Đảng bộ {province_name}" if province_name else "",
            issuer="Tỉnh ủy",
            number="Số      -BC/TU",
            place=place,
            recipients=(
                "Ban Thường vụ Tỉnh ủy;",
                "Các huyện ủy, thành ủy;",
                "Lưu Văn phòng Tỉnh ủy.",
            ),
            on_behalf="Ban Thường vụ",
            signer_title="Bí thư",
            style=PARTY,
        )
    match = _RESOLUTION.match(program_name)
    short = match.group(1) if match else program_name
    return Heading(
        superior=f"UBND {province_name}".upper() if province_name else "",
        issuer=f"Ban chỉ đạo thực hiện {short}",
        number="Số:      /BC-BCĐ",
        place=place,
        recipients=("Thường trực Tỉnh ủy;", "Thường trực HĐND, UBND tỉnh;", "Lưu: VT."),
        on_behalf="Ban chỉ đạo",
        signer_title="Trưởng ban",
    )


def heading_of(saved: Any) -> Heading:
    """Return the heading stored with a saved report."""
    recipients = tuple(line.strip() for line in saved.recipients.splitlines() if line.strip())
    return Heading(
        superior=saved.issuer_superior,
        issuer=saved.issuer,
        number=saved.document_number,
        place=saved.place,
        recipients=recipients,
        on_behalf=saved.signer_on_behalf,
        signer_title=saved.signer_title,
        signer_name=saved.signer_name,
        style=saved.program.issuing_body,
    )


def sections_of(saved: Any) -> dict[str, str]:
    """Return the text of a saved report's sections after the first (see `SECTIONS`)."""
    return {name: getattr(saved, name) for name, _title in SECTIONS[1:]}


def filename(report: ReviewReport, fmt: str) -> str:
    return f"bao-cao-{report.program_code}-{report.baseline_year}-{report.review_year}.{fmt}"


def review_file(
    *,
    report: ReviewReport,
    fmt: str,
    narrative_vi: str,
    narrative_en: str,
    heading: Heading,
    sections: dict[str, str] | None = None,
    generated: bool = False,
    demo: bool | None = None,
) -> ExportFile:
    """Return the review as `fmt` ("json", "xlsx" or "docx").

    `generated`: the narrative was written from the figures and never saved (said in the
    file); `demo` (default: whether the database holds the demo) marks the file as demo data.
    """
    if demo is None:
        demo = holds_demo_data()
    if fmt == "json":
        data = report_to_dict(report)
        data["narrative"] = {"vi": narrative_vi, "en": narrative_en, "generated": generated}
        data["sections"] = dict(sections or {})
        data["demo_data"] = demo
        content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    elif fmt == "xlsx":
        content = review_xlsx(
            report, narrative_vi=narrative_vi, narrative_en=narrative_en, demo=demo
        )
    elif fmt == "docx":
        content = review_docx(
            report,
            heading=heading,
            narrative_vi=narrative_vi,
            sections=sections,
            generated=generated,
            demo=demo,
        )
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return ExportFile(
        content=content, content_type=CONTENT_TYPES[fmt], filename=filename(report, fmt)
    )
