"""Every ketnghia command prints its help, in Vietnamese and in English (lazy help texts)."""

from __future__ import annotations

import pytest
from django.core.management import ManagementUtility, get_commands, load_command_class
from django.utils import translation

from ketnghia.core.commands import BaseCommand


def ketnghia_commands() -> list[tuple[str, str]]:
    return sorted((name, app) for name, app in get_commands().items() if app.startswith("ketnghia"))


def test_the_project_has_commands() -> None:
    names = {name for name, _app in ketnghia_commands()}
    assert {"import-census", "census-template", "classify", "demo"} <= names


@pytest.mark.parametrize(("name", "app"), ketnghia_commands())
@pytest.mark.parametrize("language", ["vi", "en"])
def test_help_of_every_command(name: str, app: str, language: str, capsys) -> None:
    assert isinstance(load_command_class(app, name), BaseCommand), (
        f"{name} must derive from ketnghia.core.commands.BaseCommand"
    )
    with translation.override(language), pytest.raises(SystemExit) as exited:
        ManagementUtility(["ketnghia", name, "--help"]).execute()
    assert exited.value.code == 0
    out = capsys.readouterr()
    assert f"ketnghia {name}" in out.out
    assert "Traceback" not in out.err
