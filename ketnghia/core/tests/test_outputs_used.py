"""Every spreadsheet the code writes goes through `core.outputs`: a walk over the source says so.

A CSV row written without `csv_row`, or a workbook cell given its value by `sheet.cell(r, c,
value)` or `cell.value = …`, would let formula-like text out live. The walk fails on one,
naming the file and line; the few writers that need no guard are listed with the reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ketnghia

ROOT = Path(ketnghia.__file__).parent

# (file relative to the package, function) → why it may write raw cells.
EXEMPT = {
    ("core/outputs.py", "xlsx_set"): "the one function that writes a cell",
}


def _is_call_to(node: ast.expr, name: str) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == name) or (
        isinstance(func, ast.Attribute) and func.attr == name
    )


def _safe_row(node: ast.expr) -> bool:
    # An empty row, or a row built by csv_row.
    return (isinstance(node, ast.List) and not node.elts) or _is_call_to(node, "csv_row")


def _bypasses(tree: ast.AST, relative: str) -> list[str]:
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if (relative, function.name) in EXEMPT:
            continue
        for node in ast.walk(function):
            where = f"{relative}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                attr = node.func.attr
                if attr == "writerow" and node.args and not _safe_row(node.args[0]):
                    found.append(f"{where} writerow without csv_row")
                if attr == "writerows":
                    found.append(f"{where} writerows (write each row through csv_row)")
                if attr == "cell" and (
                    len(node.args) >= 3 or any(k.arg == "value" for k in node.keywords)
                ):
                    found.append(f"{where} sheet.cell(…, value) (use xlsx_set)")
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and target.attr == "value":
                        found.append(f"{where} cell.value = … (use xlsx_set)")
    return found


def test_no_spreadsheet_writer_bypasses_core_outputs():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in f"/{relative}" or "/migrations/" in f"/{relative}":
            continue
        source = path.read_text(encoding="utf-8")
        if not any(word in source for word in ("openpyxl", "csv.writer", "writerow")):
            continue
        found += _bypasses(ast.parse(source), relative)
    assert found == []


def test_the_walk_catches_a_raw_write():
    source = (
        "def export(sheet, writer, name):\n"
        "    sheet.cell(1, 1, name)\n"
        "    writer.writerow([name])\n"
        "    sheet['A1'].value = name\n"
    )
    assert len(_bypasses(ast.parse(source), "x.py")) == 3
