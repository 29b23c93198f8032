"""Plausible village names of Kon Tum's highlands, built from syllables: pure, no database.

Villages of the Ba Na, Xơ Đăng, Giẻ Triêng and Gia Rai peoples are usually named by a head word
("Kon" village, "Đăk" water, "Plei" village, "Tu" head of a stream, "Măng", "Ngọc" mountain...)
followed by one or two syllables; many communes also number their villages ("Thôn 1"). These lists
make names that sound like the region; they are invented, not taken from any official list.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Head words with rough weights: "Kon" and "Đăk" are by far the most common in the province.
HEAD_WORDS = {
    "Kon": 30,
    "Đăk": 26,
    "Plei": 14,
    "Tu": 6,
    "Măng": 6,
    "Ngọc": 6,
    "Ia": 5,
    "Kạch": 3,
    "Vi": 4,
}

SYLLABLES = (
    "Klor", "Wơk", "Hring", "Brăp", "Jri", "Leng", "Pông", "Rang", "Ung", "Xia",
    "Pao", "Ri", "Sút", "Lung", "Lây", "Dơn", "Brông", "Plong", "Xâm", "Chót",
    "Pênh", "Trang", "Kia", "Wang", "Lốc", "Mế", "Krong", "Năng", "Hyang", "Tum",
    "Đri", "Kơn", "Bông", "Drei", "Rêu", "Nhó", "Chăm", "Dốp", "Pia", "Xú",
    "Hlang", "Kđem", "Mui", "Pok", "Tang", "Doa", "Cấm", "Reo", "Blong", "Sing",
)  # fmt: skip

# First syllables of two-syllable names ("Rơ Wăk", "Mơ Nay", "Tơ Reo"...).
MINOR_SYLLABLES = ("Rơ", "Mơ", "Tơ", "Kơ", "Jơ", "Hơ", "Pơ")

# Prefix shown in the name → unit kind (geo.UnitKind values).
KIND_BY_PREFIX = {"Làng": "lang", "Thôn": "thon"}


@dataclass(frozen=True)
class VillageName:
    """A generated village: its full name ("Làng Kon Klor") and kind ("lang")."""

    name: str
    kind: str


def place_name(rng: random.Random) -> str:
    """Return one place name such as "Kon Klor", "Đăk Rơ Wăk" or "Plei Hring"."""
    head = rng.choices(list(HEAD_WORDS), weights=list(HEAD_WORDS.values()))[0]
    if rng.random() < 0.3:
        return f"{head} {rng.choice(MINOR_SYLLABLES)} {rng.choice(SYLLABLES)}"
    return f"{head} {rng.choice(SYLLABLES)}"


def village_names(rng: random.Random, count: int) -> list[VillageName]:
    """Return `count` village names unique within one commune, in the commune's naming style.

    A commune either names its villages ("Làng Kon Klor", "Thôn Đăk Wơk"), numbers them
    ("Thôn 1", "Thôn 2"...), or mixes the two, numbered ones first. No two villages of a
    commune share a place name, whatever their prefix.
    """
    style = rng.choices(("named", "numbered", "mixed"), weights=(70, 15, 15))[0]
    numbered = {"named": 0, "numbered": count, "mixed": rng.randint(1, max(1, count // 2))}[style]
    numbered = min(numbered, count)
    names = [VillageName(f"Thôn {number}", "thon") for number in range(1, numbered + 1)]
    places: set[str] = set()
    # Thousands of place names exist; the bound only guards an endless loop.
    for _attempt in range(10_000):
        if len(names) == count:
            break
        place = place_name(rng)
        if place in places:
            continue
        places.add(place)
        prefix = "Làng" if rng.random() < 0.55 else "Thôn"
        names.append(VillageName(f"{prefix} {place}", KIND_BY_PREFIX[prefix]))
    if len(names) != count:
        raise ValueError(f"could not name {count} villages")
    return names


def spread(rng: random.Random, total: int, parts: int, low: int, high: int) -> list[int]:
    """Return `parts` whole numbers between `low` and `high` that add up to `total`."""
    if not low * parts <= total <= high * parts:
        raise ValueError(f"cannot spread {total} over {parts} parts of {low}..{high}")
    counts = [rng.randint(low, high) for _ in range(parts)]
    while (difference := total - sum(counts)) != 0:
        index = rng.randrange(parts)
        step = 1 if difference > 0 else -1
        if low <= counts[index] + step <= high:
            counts[index] += step
    return counts
