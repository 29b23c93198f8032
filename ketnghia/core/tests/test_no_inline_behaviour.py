"""No behaviour inline in a template: the Content-Security-Policy (`script-src 'self'`) blocks it.

An inline handler (`onchange="…"`) or an inline `<script>` with code is silently ignored by the
browser under our policy: the page looks right and does nothing (a year selector that changes
nothing). Behaviour lives in static files (`core/ketnghia.js` reads `data-autosubmit` and
`data-check-all`); this scan fails the build on any template that still carries it inline.
"""

from __future__ import annotations

import re
from pathlib import Path

import ketnghia

ROOT = Path(ketnghia.__file__).parent

# Template language first: `{% with on=… %}` or `{{ x }}` are not HTML attributes.
_TEMPLATE_CODE = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
_TAG = re.compile(r"<[a-zA-Z][^<>]*>", re.S)
_HANDLER = re.compile(r"""\son[a-z]+\s*=""", re.I)
_JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)


def _templates() -> list[Path]:
    return sorted(path for path in ROOT.rglob("templates/**/*.html"))


def inline_behaviour(text: str) -> list[str]:
    """Return each inline handler, `javascript:` URL or inline script found in a template."""
    found = []
    for match in _SCRIPT.finditer(text):
        attributes, body = match.group(1), match.group(2)
        if body.strip() and "application/json" not in attributes:
            found.append(match.group(0)[:80])
    html = _TEMPLATE_CODE.sub(" ", text)
    for tag in _TAG.finditer(html):
        if _HANDLER.search(tag.group(0)) or _JAVASCRIPT_URL.search(tag.group(0)):
            found.append(" ".join(tag.group(0).split())[:120])
    return found


def test_the_scan_finds_handlers_scripts_and_javascript_urls():
    assert inline_behaviour('<select name="year" onchange="this.form.submit()">')
    assert inline_behaviour("<input type=checkbox\n  onClick='x()'>")
    assert inline_behaviour("<script>alert(1)</script>")
    assert inline_behaviour('<a href="javascript:void(0)">x</a>')
    assert not inline_behaviour('<script src="/static/x.js" defer></script>')
    assert not inline_behaviour('{% blocktranslate with on=on|date:"d" %}in force on {{ on }}')
    assert not inline_behaviour('<select data-autosubmit name="year">')
    assert not inline_behaviour("<p>Chọn năm, online=yes</p>")


def test_no_template_carries_inline_behaviour():
    templates = _templates()
    assert len(templates) > 40
    found = {
        str(path.relative_to(ROOT)): hits
        for path in templates
        if (hits := inline_behaviour(path.read_text(encoding="utf-8")))
    }
    assert found == {}
