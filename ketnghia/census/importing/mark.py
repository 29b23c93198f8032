"""Which commune and year a census file was made for, and the check that it is this round's.

Household codes ("01-001") repeat in every commune, so a file must say whose it is. The
template carries its commune code and year twice: as custom document properties of the
workbook (`ketnghia.commune`, `ketnghia.year`, read by `imports.mark`) and in its title
("… NĂM 2024", "(mã 23500)"), which is also the first line of the CSV template. A file
marked for another commune or year is refused naming both (`imports.mark.check_mark`). A
file without a mark (made by hand) is compared with the registry instead: when most of the
household codes it shares with the commune have another head of household, it is probably
another commune's list and is refused (`check_overlap`).
"""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.text import fold
from ketnghia.geo.models import Unit
from ketnghia.households.models import Household
from ketnghia.imports.staging import StagingTable

# The overlap check: at least this many shared codes, and more than this share of them
# with another head (names compared without diacritics, case or spacing).
OVERLAP_MIN_MATCHED = 5
OVERLAP_MAX_OTHER_HEADS = 0.5
# Matched codes compared in Python (the first of the file): enough for a share.
OVERLAP_SAMPLE = 2000


def title_text(commune: Unit, year: int) -> str:
    """Return the title line that names the file's commune and year (`imports.mark` reads it)."""
    return f"DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT NĂM {year} — {commune.name} (mã {commune.code})"


def check_overlap(stage: StagingTable, *, commune: Unit, file_name: str) -> None:
    """Refuse an unmarked file whose shared household codes mostly have other heads."""
    households = connection.ops.quote_name(Household._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT s.head_name, h.head_name FROM {stage.quoted} s
            JOIN {households} h ON h.commune_id = %s AND h.code = s.code
            WHERE s.head_name IS NOT NULL
            ORDER BY s.line LIMIT {OVERLAP_SAMPLE}
            """,
            [commune.pk],
        )
        pairs = cursor.fetchall()
    if len(pairs) < OVERLAP_MIN_MATCHED:
        return
    other = sum(1 for staged, known in pairs if _name_key(staged) != _name_key(known))
    if other / len(pairs) <= OVERLAP_MAX_OTHER_HEADS:
        return
    raise InvalidInput(
        Problem(
            _(
                "This is probably another commune's list: of %(matched)s household codes it "
                "shares with %(commune)s (code %(code)s), %(other)s have another head of "
                "household. Check that the file is this commune's, or use its template."
            )
            % {
                "matched": len(pairs),
                "commune": commune.name,
                "code": commune.code,
                "other": other,
            },
            Location(file=file_name),
        )
    )


def _name_key(name: str) -> str:
    return " ".join(fold(name or "").split())
