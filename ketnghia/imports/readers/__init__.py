"""Read CSV and XLSX tables row by row, with the location a user can find in their spreadsheet.

`open_table(path, columns)` finds the header (it may sit below a title block), matches the
file's column headers to the wanted columns whatever their diacritics, case, spacing or alias,
and returns a `Table` whose `rows()` streams the data rows with their real row number and sheet
name. Blank rows are skipped. Any file the reader cannot use is an `InvalidInput` naming it.

One module a concern: `cells` (what a cell may hold), `header` (finding the header),
`csv_files` and `xlsx_files` (each format), `table` (the table, its chunks, the problems).
"""

from ketnghia.imports.readers.cells import (
    EXCEL_ERROR_TEXTS,
    CellError,
    ExcelError,
    PercentNumber,
    cell_code,
    cell_date,
    cell_decimal,
    cell_fraction,
    cell_int,
    cell_percent,
    cell_text,
    excel_error,
    excel_error_message,
)
from ketnghia.imports.readers.csv_files import (
    CSV_SUFFIXES,
    csv_delimiter,
    csv_encoding,
    csv_records,
)
from ketnghia.imports.readers.header import Column, column_letter, header_key
from ketnghia.imports.readers.table import MAX_PROBLEMS, Chunk, ProblemList, Row, Table, open_table
from ketnghia.imports.readers.xlsx_files import XLSX_SUFFIXES, workbook_sheets

__all__ = [
    "CSV_SUFFIXES",
    "EXCEL_ERROR_TEXTS",
    "MAX_PROBLEMS",
    "XLSX_SUFFIXES",
    "CellError",
    "Chunk",
    "Column",
    "ExcelError",
    "PercentNumber",
    "ProblemList",
    "Row",
    "Table",
    "cell_code",
    "cell_date",
    "cell_decimal",
    "cell_fraction",
    "cell_int",
    "cell_percent",
    "cell_text",
    "column_letter",
    "csv_delimiter",
    "csv_encoding",
    "csv_records",
    "excel_error",
    "excel_error_message",
    "header_key",
    "open_table",
    "workbook_sheets",
]
