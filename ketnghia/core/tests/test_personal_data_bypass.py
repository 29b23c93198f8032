"""No code path emits personal data without the door: a read of a personal field anywhere in
the project's code (outside the few modules that only store or compare it) must be the value
handed to `Disclosure.show(...)`; a template may print it only from a row the door built.

`test_the_check_bites` shows a leak it catches; a new output that reads `member.personal_id`
(or a phone, or a birth date) straight into a page, an API or a file fails this test.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import ketnghia

ROOT = Path(ketnghia.__file__).parent
# Personal fields of people, as later models will name them too.
PERSONAL_FIELDS = {"personal_id", "phone", "phone_number", "birth_date", "date_of_birth"}
# Query methods that would read a personal field without loading the model attribute.
QUERY_READS = {"values", "values_list", "F", "only"}
# Modules that store or compare personal data but never show it to anyone.
ALLOWED = {
    "demo/census_load.py",  # writes the demo's synthetic members (`people.personal_id(...)`)
    "households/services.py",  # stores a member's number and compares it with the one typed
    # The assignments import compares a person's phone with the file's (a masked one keeps
    # the stored number) and stores the file's; it shows none (the template uses the door).
    "twinning/assignment_import/resolve.py",
    "twinning/assignment_import/write.py",
}


def bypasses(source: str) -> list[int]:
    """Return the line numbers where `source` reads a personal field outside `door.show(x)`."""
    tree = ast.parse(source)
    shown: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "show"
            and node.args
        ):
            shown.add(id(node.args[0]))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Load)
            and node.attr in PERSONAL_FIELDS
            and id(node) not in shown
        ):
            found.append(node.lineno)
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in QUERY_READS:
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and arg.value in PERSONAL_FIELDS:
                        found.append(arg.lineno)
    return sorted(found)


_TEMPLATE_READ = re.compile(r"\{\{[^}]*?\b(\w+)\.(" + "|".join(sorted(PERSONAL_FIELDS)) + r")\b")


def template_bypasses(text: str) -> list[str]:
    """Return the template expressions printing a personal field not from a door-built `row`."""
    return [match.group(0) for match in _TEMPLATE_READ.finditer(text) if match.group(1) != "row"]


def _project_modules() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


def test_the_check_bites():
    leak = (
        "def view(request, member, door):\n"
        "    ok = door.show(member.personal_id, kind='personal_id', path='/62/')\n"
        "    return member.personal_id\n"
        "rows = Member.objects.values_list('full_name', 'phone')\n"
    )
    assert bypasses(leak) == [3, 4]
    assert template_bypasses("{{ row.personal_id }} {{ row.member.personal_id|default:'' }}") == [
        "{{ row.member.personal_id"
    ]


def test_no_module_reads_personal_data_around_the_door():
    assert all((ROOT / relative).exists() for relative in ALLOWED)
    found = {}
    for path in _project_modules():
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED:
            continue
        lines = bypasses(path.read_text(encoding="utf-8"))
        if lines:
            found[relative] = lines
    assert found == {}


def test_no_template_prints_personal_data_around_the_door():
    found = {}
    for path in ROOT.rglob("*.html"):
        leaks = template_bypasses(path.read_text(encoding="utf-8"))
        if leaks:
            found[path.relative_to(ROOT).as_posix()] = leaks
    assert found == {}


def test_the_scan_reads_the_outputs_it_guards():
    scanned = {path.relative_to(ROOT).as_posix() for path in _project_modules()}
    assert {
        "census/importing/template.py",
        "census/views.py",
        "census/api_households.py",
    } <= scanned
