"""Writing small CSV and XLSX files for the import tests."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import openpyxl


def write_csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], sheet: str = "Dữ liệu") -> Path:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(list(row))
    workbook.save(path)
    return path
