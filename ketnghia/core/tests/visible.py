"""What a reader sees of a page: its text, without tags, attributes, scripts or styles.

Used by the tests that hold pages to "names, never codes": an identifier (`poverty_rate`,
`nvv-example`, `vn-2022`) in the visible text is a key of the system shown where a word
belongs. Attributes (`data-criterion="poverty_rate"`, links) are for the machine and stay.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Tags whose content no one reads on screen.
# A <textarea> holds the reader's own editable text (the review's English summary is English
# on purpose), not the page's words.
_SILENT = {"script", "style", "template", "noscript", "title", "textarea"}

# A snake_case key (`poverty_rate`, `no_hunger`, `health_station`), a criteria-set code
# (`nvv-example`, `ntm-2021`) or a poverty-standard code (`vn-2022`).
IDENTIFIER = re.compile(
    r"(?<![\w/.@-])(?:[a-z]+(?:_[a-z0-9]+)+|(?:nvv|ntm|vn)-[a-z0-9]+(?:-[a-z0-9]+)*)(?![\w/.@-])"
)

# Legitimate tokens that look like identifiers, with why each may be shown:
# - a URL or file path (`/census/23500/`, `report.xlsx`): the lookbehind / lookahead above
#   already skip tokens glued to `/`, `.`, `@` or `-`, as in addresses and file names;
# - the command-line hints inside <code> (`ketnghia import-census FILE --commune …`): a person
#   types them as they are, so <code> and <kbd> content is not held to the rule (see
#   `visible_text(code=False)`).
# - `ma_xa`: the property name of the commune code in the province's own GeoJSON files (the
#   map upload's default and example); it is the file's word, which the reader must type.
ALLOWED: frozenset[str] = frozenset({"ma_xa"})


class _Text(HTMLParser):
    def __init__(self, *, code: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.silent = 0
        self.code = code
        self.skip = {*_SILENT} | (set() if code else {"code", "kbd", "pre"})

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.skip:
            self.silent += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skip and self.silent:
            self.silent -= 1

    def handle_data(self, data: str) -> None:
        if not self.silent:
            self.parts.append(data)


def visible_text(html: str, *, code: bool = False) -> str:
    """Return the page's text as a reader sees it (code samples left out unless `code`)."""
    parser = _Text(code=code)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def identifiers(html: str) -> list[str]:
    """Return the identifier-like tokens of the page's visible text (allowed ones left out)."""
    found = IDENTIFIER.findall(visible_text(html))
    return sorted({token for token in found if token not in ALLOWED})
