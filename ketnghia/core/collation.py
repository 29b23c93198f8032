"""Vietnamese alphabetical order, for lists people read (a ă â b c d đ e ê … and tone order).

Python's default order puts "Đ" after "Z" and every accented vowel after the plain ones; the
national lists sort "Đặng" after "Dũng" and "Ân" after "Ăn". The letter and tone weights come
from `vn-collate` (derived from ICU's Vietnamese collation; PyICU needs the ICU C library
built, which a plain `pip install` cannot count on). Words are compared one by one, so a
space sorts before any letter ("A Sáu" < "An Bình" < "Anh"), as in ICU.
"""

from __future__ import annotations

from vn_collate import collate_key

from ketnghia.core.text import nfc


def text_key(text: str) -> tuple[str, ...]:
    """Return a sort key that orders texts the Vietnamese way, word by word."""
    return tuple(collate_key(word) for word in nfc(text).split())


def name_key(full_name: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """Return a sort key for a person's full name: given name first, then the rest.

    Vietnamese lists are ordered by the given name (the last word: "Nguyễn Văn An" under
    "An"), then by family and middle names; the name itself breaks remaining ties.
    """
    words = nfc(full_name).split()
    if not words:
        return ((), (), "")
    return (text_key(words[-1]), text_key(" ".join(words[:-1])), full_name)
