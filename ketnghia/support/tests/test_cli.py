"""`ketnghia support funds`: per fund and by source, the same money as the selectors."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ketnghia.support import cli, services
from ketnghia.support.tests.conftest import open_cycle

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("support", *args, stdout=out)
    return out.getvalue()


def test_funds_json_lists_each_fund_and_totals_by_source(setting, tree, users):
    cycle = open_cycle(setting, tree, users)
    services.cycle_propose(cycle=cycle, actor=users.commune_officer)
    services.cycle_submit(cycle=cycle, actor=users.commune_officer)
    services.cycle_approve(cycle=cycle, actor=users.district_officer, on=date(2016, 4, 2))
    data = json.loads(_run("funds", "--program", "nq04", "--year", "2016", "--json"))
    assert data["funds"] == [
        {
            "document": "123/QĐ-UBND",
            "source": "province",
            "year": 2016,
            "allocated": 10_000_000,
            "committed": 6_000_000,
            "delivered": 0,
            "balance": 4_000_000,
        }
    ]
    assert data["totals_by_source"]["province"]["balance"] == 4_000_000
    assert json.loads(_run("funds", "--program", "nq04", "--year", "2015", "--json"))["funds"] == []
    text = _run("funds", "--program", "nq04")
    assert "123/QĐ-UBND" in text and "Provincial budget" in text


def test_an_unknown_program_exits_2(db):
    with pytest.raises(CommandError) as caught:
        _run("funds", "--program", "nope", "--json")
    assert caught.value.returncode == 2


def test_another_app_plugs_in_a_subcommand(db, monkeypatch):
    monkeypatch.setattr(cli, "SUBCOMMANDS", dict(cli.SUBCOMMANDS))

    def add(parser: ArgumentParser) -> None:
        parser.add_argument("--name")

    cli.register(
        cli.Subcommand("outcomes", "x", add, lambda cmd, opts: cmd.stdout.write(opts["name"]))
    )
    monkeypatch.setattr("ketnghia.support.management.commands.support.SUBCOMMANDS", cli.SUBCOMMANDS)
    assert _run("outcomes", "--name", "mô hình").strip() == "mô hình"
