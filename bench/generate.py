"""A deterministic census file of N households, in the census import's CSV or XLSX format.

The same seed and size give the same rows (and the same CSV bytes) on every machine, and a
smaller file is a prefix of a larger one, so the baseline can be timed on the first rows of
the very file ketnghia imports whole.

The columns are the import template's, under the template's Vietnamese headers
(`census.importing.columns`). Values are plausible for a highland commune under the 2022
standard: mostly rural, 1–9 members, incomes spread around the poor line (lognormal),
deprivations likelier the poorer the household, so every status occurs. As in officers'
files, one income in ten is written the Vietnamese way ("1.250.000").
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook

from ketnghia.census.importing import columns as cols
from ketnghia.geo.rules import village_code
from ketnghia.poverty.domain import Area, Standard
from ketnghia.poverty.standards import get_standard

SEED = 2007
STANDARD_CODE = "vn-2022"
COMMUNE_CODE = "23500"
VILLAGES = 12
YEAR = 2024

# Incomes: lognormal around 2,000,000 VND a month, so about three households in ten fall
# within the 2022 rural poor line (1,500,000) and most of the rest straddle the average line.
INCOME_MEDIAN = 2_000_000
INCOME_SIGMA = 0.55
# Chance of each deprivation, for a household within the poor line and above it.
DEPRIVED_POOR = 0.35
DEPRIVED_OTHER = 0.12
URBAN_SHARE = 0.03

_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Đinh", "A", "Y", "Rơ Châm", "Hồ", "Võ")
_GIVEN = (
    "Thút", "Bia", "Blông", "Hyang", "Đơn", "Xuân", "Lan", "Hùng", "Pao", "Nhó",
    "Thị Mai", "Văn Tâm", "Wơk", "Krong", "H'Rin", "Sút", "Dốp", "Thị Hoa", "Văn Minh", "Ríu",
)  # fmt: skip
_MEMBERS = (1, 2, 3, 4, 5, 6, 7, 8, 9)
_MEMBER_WEIGHTS = (4, 10, 16, 22, 20, 13, 8, 4, 3)


def standard() -> Standard:
    return get_standard(STANDARD_CODE)


def village_names(count: int = VILLAGES) -> list[str]:
    """Return the names of the villages the households live in (the bench's set-up makes them)."""
    return [f"Thôn {number}" for number in range(1, count + 1)]


def village_codes(commune_code: str = COMMUNE_CODE, count: int = VILLAGES) -> list[str]:
    return [village_code(commune_code, number) for number in range(1, count + 1)]


def headers() -> list[str]:
    """Return the template's headers, in its order: household columns, then indicators."""
    rules = standard()
    keys = [*cols.TEMPLATE_KEYS, *(cols.indicator_key(code) for code in rules.indicator_codes)]
    return [cols.column_label(rules, key) for key in keys]


def households(count: int, *, seed: int = SEED) -> Iterator[list[object]]:
    """Yield `count` households as typed values in the order of `headers()`.

    Each row draws from its own generator seeded by (seed, row number), so row n is the
    same whatever the file's size.
    """
    indicators = len(standard().indicator_codes)
    villages = village_names()
    poor_line = standard().rural.poor
    for number in range(1, count + 1):
        rng = random.Random(seed * 1_000_003 + number)
        income = INCOME_MEDIAN * math.exp(rng.gauss(0.0, INCOME_SIGMA))
        income = max(100_000, round(income, -3))
        chance = DEPRIVED_POOR if income <= poor_line else DEPRIVED_OTHER
        area = Area.URBAN if rng.random() < URBAN_SHARE else Area.RURAL
        yield [
            f"{COMMUNE_CODE}-{number:06d}",
            f"{rng.choice(_FAMILY)} {rng.choice(_GIVEN)}",
            rng.choice(villages),
            cols.AREA_LABELS[area],
            rng.choices(_MEMBERS, _MEMBER_WEIGHTS)[0],
            dt.date(YEAR, 10, 1) + dt.timedelta(days=rng.randrange(45)),
            int(income),
            *(int(rng.random() < chance) for _ in range(indicators)),
        ]


def _text(row: list[object], number: int) -> list[object]:
    """Return a row as an officer's CSV holds it: dd/mm/yyyy dates, some incomes with dots."""
    *head, surveyed_on, income = row[:7]
    assert isinstance(surveyed_on, dt.date) and isinstance(income, int)
    income_text = f"{income:,}".replace(",", ".") if number % 10 == 0 else str(income)
    return [*head, surveyed_on.strftime("%d/%m/%Y"), income_text, *row[7:]]


def write_csv(path: Path, count: int, *, seed: int = SEED) -> Path:
    """Write `count` households as a UTF-8 CSV (with the BOM Excel writes) and return `path`."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers())
        for number, row in enumerate(households(count, seed=seed), start=1):
            writer.writerow(_text(row, number))
    return path


def write_xlsx(path: Path, count: int, *, seed: int = SEED) -> Path:
    """Write `count` households as an .xlsx workbook (typed cells) and return `path`."""
    workbook = Workbook(write_only=True)
    # A fixed timestamp, so the same rows make the same workbook.
    workbook.properties.created = workbook.properties.modified = dt.datetime(YEAR, 1, 1)
    sheet = workbook.create_sheet("Rà soát")
    sheet.append(headers())
    for row in households(count, seed=seed):
        sheet.append(row)
    workbook.save(path)
    return path
