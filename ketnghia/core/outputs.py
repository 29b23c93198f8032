"""What we write into spreadsheets is inert: the one way a text cell reaches .xlsx or .csv.

A name that begins with "=", "+", "-" or "@" is stored as entered, but a spreadsheet would
run it as a formula (OWASP, "CSV Injection"). Every text cell the system writes — templates,
error workbooks, printable lists, every export — goes through this module:

- `.xlsx`: `xlsx_set(cell, value)` / `xlsx_cells(sheet, values)` write text as a string cell
  (never a formula) with Excel's quote prefix, so the text reads back exactly as stored and
  stays text when an officer edits the cell;
- `.csv`: `csv_value(value)` / `csv_row(values)` put a leading apostrophe before formula-like
  text, as OWASP advises (CSV has no cell types); `csv_unquote(text)` takes it off again when
  one of our own files comes back in an import, so a round trip changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell

# The characters a spreadsheet starts a formula (or a DDE call) with; OWASP lists the first
# six, and some Excel locales take the full-width forms too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
CSV_GUARD = "'"


def is_formula_like(text: str) -> bool:
    """Return whether a spreadsheet would read `text` as a formula."""
    return text.startswith(FORMULA_STARTS)


def csv_value(value: Any) -> Any:
    """Return `value` safe to write into a CSV cell: formula-like text gets a leading "'"."""
    if isinstance(value, str) and is_formula_like(value):
        return CSV_GUARD + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """Return a CSV row whose every text cell went through `csv_value`."""
    return [csv_value(value) for value in values]


def csv_unquote(text: str) -> str:
    """Undo `csv_value` on text read back from a CSV file: "'=A" → "=A"; other text unchanged."""
    if text.startswith(CSV_GUARD) and is_formula_like(text[1:]):
        return text[1:]
    return text


def xlsx_set(cell: Cell | WriteOnlyCell, value: Any) -> Cell | WriteOnlyCell:
    """Write `value` into an openpyxl cell; text is always a string cell, never a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            # Excel's "quote prefix": shown and kept as text even after the cell is edited.
            cell.quotePrefix = True
    return cell


def xlsx_cells(sheet: Any, values: Iterable[Any]) -> list[WriteOnlyCell]:
    """Return `values` as cells for `sheet.append(...)` (write-only or not), text made inert."""
    return [xlsx_set(WriteOnlyCell(sheet), value) for value in values]


def xlsx_append(sheet: Any, values: Iterable[Any]) -> None:
    """Append one row of `values` to `sheet`, every text cell inert."""
    sheet.append(xlsx_cells(sheet, values))


DEMO_MARK = "DỮ LIỆU MẪU"


def mark_demo_workbook(book: Any) -> None:
    """Mark every sheet of an openpyxl workbook as demo data: printed header and properties.

    The on-screen marker is the caller's (a line of the sheet's own title block), since only
    the caller knows where its rows start.
    """
    book.properties.keywords = DEMO_MARK
    book.properties.title = f"{DEMO_MARK} — {book.properties.title or ''}".rstrip(" —")
    for sheet in book.worksheets:
        sheet.oddHeader.center.text = DEMO_MARK
        sheet.evenHeader.center.text = DEMO_MARK
        sheet.firstHeader.center.text = DEMO_MARK
