"""Build step of the package: compile the translation catalogues into what is built.

Everything else is declared in pyproject.toml. Without this step, `pip install .` (or a
wheel) carries only the .po sources and Django, finding no .mo, speaks English on every page.
polib compiles them (no GNU gettext needed), as `ketnghia compile-translations` does.
"""

from __future__ import annotations

from pathlib import Path

import polib
from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogues(build_py):
    """`build_py` that writes a compiled .mo beside every .po of the package."""

    def run(self) -> None:
        super().run()
        # An editable install (`pip install -e .`) runs from the source tree: compile there.
        root = Path(".") if getattr(self, "editable_mode", False) else Path(self.build_lib)
        for po_path in sorted(root.glob("ketnghia/locale/*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            self._compiled.append(str(mo_path))

    @property
    def _compiled(self) -> list[str]:
        if not hasattr(self, "_compiled_paths"):
            self._compiled_paths: list[str] = []
        return self._compiled_paths

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return [*super().get_outputs(include_bytecode), *self._compiled]


setup(cmdclass={"build_py": BuildWithCatalogues})
