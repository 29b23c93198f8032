"""Census files for the import tests: a tiny writer and a generator of large plausible files."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from pathlib import Path

from ketnghia.census.importing.columns import census_columns
from ketnghia.poverty.domain import Standard


def headers(standard: Standard, *, by_code: bool = False) -> list[str]:
    """Return the template's headers (Vietnamese), or the column codes with `by_code`."""
    names = []
    for column in census_columns(standard):
        if column.key in {"commune_code"}:
            continue
        if by_code:
            names.append(column.names[-1])
        else:
            names.append(column.label)
    return names


def household(
    code: str,
    head: str,
    village: str,
    income: str,
    flags: Sequence[object] = (),
    *,
    area: str = "",
    members: str = "4",
    surveyed_on: str = "15/10/2024",
) -> list[object]:
    """Return a row in the order of `headers`: code, head, income, village, area, ..."""
    return [code, head, income, village, area, members, surveyed_on, *flags]


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def generate_csv(
    path: Path,
    standard: Standard,
    *,
    rows: int,
    villages: Sequence[str],
    commune_code: str,
    seed: int = 2024,
) -> Path:
    """Write `rows` plausible households of one commune under `standard` (codes by commune).

    Incomes are written the Vietnamese way ("1.250.000") for one row in ten, so the import's
    careful parser runs as it would on an officer's file.
    """
    rng = random.Random(seed)
    indicators = len(standard.indicators)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers(standard))
        for number in range(1, rows + 1):
            income = rng.randrange(300, 4000) * 1000
            flags = [1 if rng.random() < 0.25 else 0 for _ in range(indicators)]
            writer.writerow(
                [
                    f"{commune_code}-{number:06d}",
                    f"Hộ gia đình số {number}",
                    str(income) if number % 10 else f"{income:,}".replace(",", "."),
                    villages[number % len(villages)],
                    "nông thôn",
                    str(rng.randrange(1, 9)),
                    f"{rng.randrange(1, 29):02d}/10/2024",
                    *flags,
                ]
            )
    return path
