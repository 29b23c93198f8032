"""Render Word files as a reader sees them: LibreOffice headless to PDF, then `pdftotext -layout`.

Tests of a document's layout read the rendered pages, not only the XML: a heading whose grid
is wrong still has the right XML text. LibreOffice (Debian's `libreoffice-writer`) and
poppler's `pdftotext` are installed by `.ci/run`; elsewhere the tests are skipped unless
`KETNGHIA_REQUIRE_BROWSER=1` (CI) makes a missing renderer a failure.

The documents are set in Times New Roman, the decree's font. Where it is not installed,
LibreOffice lays them out in whatever fontconfig offers instead; only a metric-compatible
face (Debian's `fonts-liberation2`, also installed by `.ci/run`) breaks the lines where
Word would, so a machine without one skips (or, in CI, fails) rather than judging a layout
it cannot reproduce.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest


@dataclass(frozen=True)
class Rendered:
    """A document as rendered: its pages' text (layout kept) and the page size in points."""

    pages: tuple[str, ...]
    width_pt: float
    height_pt: float

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    def lines(self) -> list[str]:
        return [" ".join(line.split()) for line in self.text.splitlines() if line.strip()]

    @property
    def is_a4(self) -> bool:
        return abs(self.width_pt - 595.3) < 2 and abs(self.height_pt - 841.9) < 2


# Times New Roman itself, or a face with its metrics that fontconfig puts in its place.
_TIMES_METRICS = frozenset({"Times New Roman", "Liberation Serif", "Tinos"})


def _missing(reason: str) -> NoReturn:
    if os.environ.get("KETNGHIA_REQUIRE_BROWSER") == "1":
        pytest.fail(f"KETNGHIA_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def _need(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        _missing(f"{program} is not installed (Debian: libreoffice-writer, poppler-utils)")
    return found


def _need_times_metrics() -> None:
    fc_match = _need("fc-match")
    family = subprocess.run(
        [fc_match, "--format=%{family[0]}", "Times New Roman"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    if family not in _TIMES_METRICS:
        _missing(
            f"Times New Roman is laid out in {family!r}, whose lines break elsewhere "
            "(Debian: fonts-liberation2)"
        )


def render(documents: dict[str, bytes]) -> dict[str, Rendered]:
    """Return each named .docx rendered by LibreOffice, in one LibreOffice run."""
    soffice = _need("soffice")
    pdftotext = _need("pdftotext")
    pdfinfo = _need("pdfinfo")
    _need_times_metrics()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        for name, content in documents.items():
            (base / f"{name}.docx").write_bytes(content)
        # A profile of its own: another LibreOffice running on the machine does not interfere.
        profile = (base / "profile").as_uri()
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(base),
                *(str(base / f"{name}.docx") for name in documents),
            ],
            check=True,
            capture_output=True,
            timeout=240,
        )
        out = {}
        for name in documents:
            pdf = base / f"{name}.pdf"
            info = subprocess.run(
                [pdfinfo, str(pdf)], check=True, capture_output=True, text=True
            ).stdout
            size = next(line for line in info.splitlines() if line.startswith("Page size:"))
            width, height = (float(value) for value in size.split()[2:5:2])
            pages = int(
                next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1]
            )
            texts = tuple(
                subprocess.run(
                    [pdftotext, "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                for n in range(1, pages + 1)
            )
            out[name] = Rendered(pages=texts, width_pt=width, height_pt=height)
        return out
