"""`ketnghia demo` and `ketnghia demo-logins`: refusals, output, the empty case."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ketnghia.core.models import holds_demo_data
from ketnghia.demo.generator import DemoReport
from ketnghia.geo.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_load(monkeypatch):
    """Stand in for the full load (its own tests load it once): record the calls."""
    calls: list[DemoReport] = []

    def load() -> DemoReport:
        report = DemoReport(
            program_communes=53,
            key_communes=20,
            villages_created=409,
            households_created=44_000,
            members_created=210_000,
            rounds_created=1007,
            entries_created=677_000,
        )
        calls.append(report)
        return report

    monkeypatch.setattr("ketnghia.demo.management.commands.demo.demo_load", load)
    return calls


def test_command_refuses_without_debug_unless_forced(settings, fake_load):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo", stdout=StringIO())
    assert fake_load == []
    out = StringIO()
    call_command("demo", "--force", stdout=out)
    assert len(fake_load) == 1
    text = out.getvalue()
    assert "409 villages created" in text
    assert "Households created: 44000 (210000 members)" in text
    assert "census rounds created: 1007 (677000 household entries)" in text


def test_if_empty_does_nothing_when_units_exist(settings, tree, fake_load):
    settings.DEBUG = True
    units = Unit.objects.count()
    call_command("demo", "--if-empty", stdout=StringIO())
    assert fake_load == []
    assert Unit.objects.count() == units
    assert not holds_demo_data()


def test_demo_logins_without_demo_says_so():
    out = StringIO()
    call_command("demo-logins", stdout=out)
    assert "ketnghia demo" in out.getvalue()
