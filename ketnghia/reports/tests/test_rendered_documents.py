"""The Word files as a reader sees them: rendered by LibreOffice and read back as laid-out text.

Checked on the pages, not in the XML: A4; the national title and the motto each on one line
(Decree 30/2020) or the Party title (Hướng dẫn 36-HD/VPTW); the subject not wrapped word by
word; page numbers from page 2 and none on page 1; figures never broken across lines; a count
without a denominator; the "TM." signature with the signer's name; the demo marker on every
page; and for the printable list, the header row on every page and the signature lines on the
page where the list ends.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from ketnghia.census.lists import ListedHousehold, PostingList, VillageList, posting_list_docx
from ketnghia.census.models import CensusRound
from ketnghia.core.tests.rendering import Rendered, render
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.reports import narrative
from ketnghia.reports.docx_export import PARTY, review_docx
from ketnghia.reports.exports import default_heading
from ketnghia.reports.tests.factories import report, with_entry

PROGRAM = "Nghị quyết 04-NQ/TU của Tỉnh ủy Kon Tum"
SUBJECT = "Kết quả thực hiện Nghị quyết 04 giai đoạn 2007 – 2015"


def _review(style: str = "state", *, demo: bool = False) -> bytes:
    base = with_entry(report(), "poverty_rate", target=35.0, baseline=57.7)
    heading = default_heading(
        program_name=PROGRAM, province_name="Tỉnh Kon Tum", area_name="Tỉnh Kon Tum", style=style
    )
    heading = replace(heading, signer_name="Nguyễn Văn Minh")
    return review_docx(
        base,
        heading=heading,
        narrative_vi=narrative.summary(base, language="vi"),
        sections={"lessons": "Phân công cụ thể, gắn trách nhiệm người đứng đầu."},
        demo=demo,
    )


def _long_list() -> bytes:
    district = Unit(code="610", name="Huyện Đắk Hà", level=UnitLevel.DISTRICT)
    commune = Unit(code="23500", name="Xã Ngọk Wang", level=UnitLevel.COMMUNE, parent=district)
    census_round = CensusRound(commune=commune, year=2015, revision=1)
    households = [
        ListedHousehold(n, f"01-{n:03d}", f"Y Thị Hộ Số {n}", "poor", "hộ nghèo")
        for n in range(1, 71)
    ]
    listing = PostingList(
        census_round=census_round,
        villages=[VillageList(code="23500-01", name="Làng Kon Stiu", households=households)],
    )
    return posting_list_docx(listing, demo=True)


@pytest.fixture(scope="module")
def rendered() -> dict[str, Rendered]:
    return render(
        {
            "review": _review(demo=True),
            "party": _review(PARTY),
            "list": _long_list(),
        }
    )


def _first_number(page: str) -> str:
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return lines[0] if lines else ""


def test_review_is_a4_with_title_and_motto_each_on_one_line(rendered) -> None:
    document = rendered["review"]
    assert document.is_a4
    first_page = [" ".join(line.split()) for line in document.pages[0].splitlines()]
    assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in line for line in first_page)
    assert any("Độc lập - Tự do - Hạnh phúc" in line for line in first_page)
    # The subject is one line, not a narrow column of words.
    assert any(SUBJECT in line for line in first_page)
    assert any(line.strip() == "BÁO CÁO" for line in first_page)


def test_review_has_page_numbers_from_page_two(rendered) -> None:
    pages = rendered["review"].pages
    assert len(pages) >= 2
    assert not re.match(r"^1\b", _first_number(pages[0]))
    for number, page in enumerate(pages[1:], start=2):
        assert _first_number(page).startswith(str(number)), page[:200]


def test_review_sections_signature_and_figures(rendered) -> None:
    document = rendered["review"]
    lines = document.lines()
    text = "\n".join(lines)
    for title in (
        "I. KẾT QUẢ ĐẠT ĐƯỢC",
        "II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
        "III. BÀI HỌC KINH NGHIỆM",
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ",
        "V. KIẾN NGHỊ, ĐỀ XUẤT",
    ):
        assert title in text
    assert "Phân công cụ thể, gắn trách nhiệm người đứng đầu." in text
    assert any("TM. BAN CHỈ ĐẠO" in line for line in lines)
    assert any("TRƯỞNG BAN" in line for line in lines)
    assert "Nguyễn Văn Minh" in text
    assert any("Nơi nhận:" in line for line in lines)
    # Figures whole on their line; a count has no denominator; the target is assessed.
    for figure in ("5.770/10.000", "3.400/10.000", "4.321/5.000", "118/409", "880/2.000"):
        assert figure in text
    assert "4.812/1" not in text
    poverty_row = next(line for line in lines if "3.400/10.000" in line)
    assert "34,0 %" in poverty_row and "≤ 35,0 %" in poverty_row and "Đạt" in poverty_row


def test_demo_marker_on_every_page(rendered) -> None:
    for page in rendered["review"].pages + rendered["list"].pages:
        assert "DỮ LIỆU MẪU" in page
    assert all("DỮ LIỆU MẪU" not in page for page in rendered["party"].pages)


def test_party_layout(rendered) -> None:
    document = rendered["party"]
    first_page = [" ".join(line.split()) for line in document.pages[0].splitlines()]
    assert any("ĐẢNG CỘNG SẢN VIỆT NAM" in line for line in first_page)
    assert not any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA" in line for line in first_page)
    assert any("TỈNH ỦY" in line for line in first_page)
    assert any("-BC/TU" in line for line in first_page)
    assert any("T/M BAN THƯỜNG VỤ" in line for line in document.lines())


def test_list_layout(rendered) -> None:
    document = rendered["list"]
    assert document.is_a4
    assert len(document.pages) >= 2
    first_page = [" ".join(line.split()) for line in document.pages[0].splitlines()]
    assert any("UBND XÃ NGỌK WANG" in line for line in first_page)
    assert any("UBND HUYỆN ĐẮK HÀ" in line for line in first_page)
    assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in line for line in first_page)
    assert any("DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2015" in line for line in first_page)
    # The public title, not the workflow: no state or revision on the page.
    assert "lần 1" not in document.text and "rà soát năm" not in document.text
    # The place is the commune's.
    assert any("Ngọk Wang, ngày" in line for line in document.lines())
    for number, page in enumerate(document.pages[1:], start=2):
        assert _first_number(page).startswith(str(number))
        # The header row is repeated on every page of the list.
        assert "Chủ hộ" in page
    # The signature lines stand on the page where the list ends.
    last = next(page for page in document.pages if "Y Thị Hộ Số 70" in page)
    assert "Trưởng thôn" in last and "TM. Ủy ban nhân dân xã" in last
