"""The built package speaks Vietnamese without `make`: the wheel carries compiled catalogues.

Builds the wheel from a copy of the source (so the work tree's own .mo files, compiled by
`make install`, cannot stand in for the build step), installs it with --no-deps into a fresh
venv that borrows the project venv's packages for its dependencies, and asks the installed
package for a Vietnamese message. About 15 s; no network (no build isolation).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import ketnghia

SOURCE = Path(ketnghia.__file__).resolve().parent.parent
CATALOGUE = "ketnghia/locale/vi/LC_MESSAGES/django.mo"

CHECK = """
import os, sys
import django
django.setup()
import ketnghia
from django.utils import translation
translation.activate("vi")
print(ketnghia.__file__)
print(translation.gettext("Census inbox"))
"""


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=240, **kwargs)


def test_the_installed_wheel_speaks_vietnamese(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(SOURCE / name, source / name)
    shutil.copytree(
        SOURCE / "ketnghia",
        source / "ketnghia",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "tests"),
    )
    assert not list(source.rglob("*.mo"))
    wheels = tmp_path / "wheels"
    _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--disable-pip-version-check", "-q", "-w", str(wheels), str(source),
    )  # fmt: skip
    (wheel,) = wheels.glob("ketnghia-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert CATALOGUE in archive.namelist()
        assert CATALOGUE.replace(".mo", ".po") in archive.namelist()

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    _run(
        sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
        "--disable-pip-version-check", "-q", str(wheel),
    )  # fmt: skip
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    env = {
        **os.environ,
        # Dependencies from the project venv; ketnghia itself only from the fresh venv.
        "PYTHONPATH": sysconfig.get_paths()["purelib"],
        "DJANGO_SETTINGS_MODULE": "ketnghia.settings",
        "KETNGHIA_PROFILE": "local",
        "KETNGHIA_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("KETNGHIA_TESTING", None)
    result = _run(str(python), "-c", CHECK, cwd=run_dir, env=env)
    location, message = result.stdout.strip().splitlines()[-2:]
    assert Path(location).resolve().is_relative_to(venv.resolve())
    assert message == "Hộp công việc rà soát"
