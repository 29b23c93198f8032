"""The economy's section of the review report: models, replication and the outcome table."""

from __future__ import annotations

import json
from io import BytesIO

from docx import Document
from openpyxl import load_workbook

from ketnghia.core.gate import EVERYTHING
from ketnghia.economy.panel import program_outcomes
from ketnghia.economy.tests.conftest import KIND
from ketnghia.reports.contributed import contributed_sections
from ketnghia.reports.docx_export import Heading
from ketnghia.reports.exports import review_file
from ketnghia.reports.tests.factories import report


def _section(planted, language="vi"):
    sections = contributed_sections(
        program=planted.program,
        baseline_year=2016,
        review_year=2022,
        scope=EVERYTHING,
        language=language,
    )
    (section,) = [s for s in sections if s.key == "economy"]
    return section


def test_the_outcome_table_gives_each_start_year_its_effect_and_interval_or_reason(planted):
    section = _section(planted)
    (result,) = program_outcomes(planted.program, kinds=[KIND])
    (table,) = section.tables
    assert len(table.columns) == 8
    by_start = {row[1]: row for row in table.rows}
    for cohort in result.cohorts:
        row = by_start[cohort.start_year]
        assert row[2] == cohort.supported and row[3] == cohort.matched
        if cohort.att is None:
            assert row[4] is None and row[7] == cohort.reason and cohort.reason
        else:
            assert row[4] == round(100 * cohort.att.value, 1)
            assert row[5] == round(100 * cohort.att.ci_low, 1)
            assert row[6] == round(100 * cohort.att.ci_high, 1)
    overall = table.rows[-1]
    assert overall[1] == "các năm"
    assert result.att is not None
    assert overall[5] <= 100 * planted.effect <= overall[6]
    assert section.title == "Mô hình kinh tế và hiệu quả hỗ trợ"
    assert section.data["economic_models"] == 0


def test_the_section_is_in_the_json_xlsx_and_docx(planted):
    section = _section(planted)
    common = {
        "report": report(),
        "narrative_vi": "Tóm tắt.",
        "narrative_en": "Summary.",
        "heading": Heading(),
        "demo": False,
        "contributed": [section],
    }
    data = json.loads(review_file(fmt="json", **common).content)
    (found,) = data["contributed_sections"]
    assert found["key"] == "economy" and found["tables"][0]["rows"][-1][1] == "các năm"
    book = load_workbook(BytesIO(review_file(fmt="xlsx", **common).content))
    sheet = book["Thoát nghèo của hộ được hỗ trợ"]
    values = [row for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert len(values) == len(section.tables[0].rows)
    assert values[-1][5] == section.tables[0].rows[-1][5]
    document = Document(BytesIO(review_file(fmt="docx", **common).content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Mô hình kinh tế và hiệu quả hỗ trợ" in text
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert "Thoát nghèo của hộ được hỗ trợ" in text and "các năm" in cells
