"""`ketnghia support <subcommand>`: the auditors' command line, open to other apps.

Subcommands live in `SUBCOMMANDS`, a dict of name → `Subcommand`; the management command
(`management/commands/support.py`) builds its parser from it when it runs. Another app adds
its own in its `AppConfig.ready` (the economic models and outcomes of issue 19):

    from ketnghia.support.cli import Subcommand, register
    register(Subcommand("outcomes", gettext_lazy("…"), add_arguments, run))

`run(command, options)` writes to `command.stdout`; a `KetnghiaError` it raises is listed on
stderr and ends the command with exit status 2.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.formatting import format_money
from ketnghia.core.gate import EVERYTHING
from ketnghia.programs.selectors import program_get
from ketnghia.support import selectors
from ketnghia.support.models import FundSource
from ketnghia.support.rules import FundFigures


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str | Promise
    add_arguments: Callable[[ArgumentParser], None]
    run: Callable[[Any, dict[str, Any]], None]


SUBCOMMANDS: dict[str, Subcommand] = {}


def register(subcommand: Subcommand) -> None:
    """Add (or replace) a subcommand of `ketnghia support`."""
    SUBCOMMANDS[subcommand.name] = subcommand


def _money(figures: FundFigures) -> dict[str, int]:
    return {
        "allocated": figures.allocated,
        "committed": figures.committed,
        "delivered": figures.delivered,
        "balance": figures.balance,
    }


def funds_data(*, program_code: str, year: int | None) -> dict[str, Any]:
    """Return the funds of a program (and year) with their money and the totals by source."""
    program = program_get(program_code)
    funds = selectors.fund_list_for(scope=EVERYTHING, program=program)
    if year is not None:
        funds = funds.filter(year=year)
    report = selectors.fund_report(funds)
    return {
        "program": program.code,
        "year": year,
        "funds": [
            {
                "document": row.fund.document.number,
                "source": row.fund.source,
                "year": row.fund.year,
                **_money(row.figures),
            }
            for row in report.rows
        ],
        "totals_by_source": {
            source: _money(figures) for source, figures in report.by_source.items()
        },
        "total": _money(report.total),
    }


def _funds_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--program", required=True, metavar="CODE")
    parser.add_argument("--year", type=int)
    parser.add_argument("--json", action="store_true")


def _funds(command: Any, options: dict[str, Any]) -> None:
    data = funds_data(program_code=options["program"], year=options["year"])
    if options["json"]:
        command.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        return
    labels = dict(FundSource.choices)
    header = [
        _("Document"),
        _("Source"),
        _("Year"),
        _("Allocated"),
        _("Committed"),
        _("Delivered"),
        _("Balance"),
    ]
    command.stdout.write("\t".join(str(h) for h in header))
    for row in data["funds"]:
        command.stdout.write(
            "\t".join(
                [
                    row["document"],
                    str(labels[row["source"]]),
                    str(row["year"]),
                    *(format_money(row[k]) for k in ("allocated", "committed", "delivered")),
                    format_money(row["balance"]),
                ]
            )
        )
    command.stdout.write("")
    command.stdout.write(_("Totals by source"))
    for source, money in data["totals_by_source"].items():
        command.stdout.write(
            "\t".join(
                [
                    str(labels[source]),
                    *(
                        format_money(money[k])
                        for k in ("allocated", "committed", "delivered", "balance")
                    ),
                ]
            )
        )


register(
    Subcommand(
        "funds",
        gettext_lazy("Funds of a program: allocated, committed, delivered, balance."),
        _funds_arguments,
        _funds,
    )
)

# The delivery import's subcommands (they register themselves; imported last: they use
# `register` above).
from ketnghia.support.delivery_import import commands as _delivery_commands  # noqa: E402, F401
