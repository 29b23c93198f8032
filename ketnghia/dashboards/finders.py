"""plotly.js as a static file of the project, taken from the installed `plotly` package.

The Python package ships the browser bundle (`plotly/package_data/plotly.min.js`); this
finder serves that one file as `plotly/plotly.min.js` (WhiteNoise locally, `collectstatic`
in production), so no chart script comes from a CDN and none is copied into the repository.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage

PREFIX = "plotly"
FILE_NAME = "plotly.min.js"
STATIC_PATH = f"{PREFIX}/{FILE_NAME}"


def _package_data() -> Path:
    return Path(str(resources.files("plotly"))) / "package_data"


class PlotlyFinder(BaseFinder):
    """Find `plotly/plotly.min.js` in the installed plotly package, and nothing else."""

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        if not (_package_data() / FILE_NAME).is_file():
            return [Error(f"{FILE_NAME} is missing from the plotly package", id="dashboards.E001")]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        file = _package_data() / FILE_NAME
        if path == STATIC_PATH and file.is_file():
            return [str(file)] if find_all else str(file)
        return [] if find_all else ""

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        storage = FileSystemStorage(location=_package_data())
        storage.prefix = PREFIX  # type: ignore[attr-defined]
        yield FILE_NAME, storage
