"""`ketnghia support deliveries-import` and `deliveries-template`: the delivery import from the
command line (the same spec as the web upload) and a cycle's template or field form."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core import gate
from ketnghia.core.errors import KetnghiaError
from ketnghia.core.formatting import format_money
from ketnghia.core.text import format_number
from ketnghia.imports.confirm import ConfirmationNeeded
from ketnghia.support import selectors
from ketnghia.support.cli import Subcommand, register
from ketnghia.support.delivery_import.pipeline import (
    DELIVERIES,
    DeliveryImportReport,
    delivery_import,
)


def _import_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("file", help=str(gettext_lazy("The filled template (.xlsx) or export.")))
    parser.add_argument("--cycle", type=int, required=True, metavar="ID")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help=str(gettext_lazy("Check the file and print the change preview, writing nothing.")),
    )
    parser.add_argument(
        "--confirm",
        action="store_true",
        help=str(gettext_lazy("Import even though the change preview asks for a confirmation.")),
    )
    parser.add_argument("--actor", metavar="USERNAME")
    parser.add_argument(
        "--errors-out",
        metavar="FILE.xlsx",
        help=str(gettext_lazy("Write the problems and the faulty rows to this workbook.")),
    )


def preview_lines(report: DeliveryImportReport) -> list[str]:
    """Return the change preview of a delivery import, in the reader's language."""
    lines = [
        _(
            "%(file)s, cycle %(cycle)s: %(rows)s row(s); recorded %(recorded)s, corrected "
            "%(corrected)s, added outside the list %(added)s, unchanged %(unchanged)s; value "
            "delivered %(value)s."
        )
        % {
            "file": report.file,
            "cycle": report.cycle,
            "rows": format_number(report.rows),
            "recorded": format_number(report.recorded),
            "corrected": format_number(report.corrected),
            "added": format_number(report.added),
            "unchanged": format_number(report.unchanged),
            "value": format_money(report.value_delivered),
        }
    ]
    if report.cycle_delivered:
        lines.append(_("Every recipient is recorded: the cycle becomes delivered."))
    lines.extend(report.samples)
    return lines


def _import(command: Any, options: dict[str, Any]) -> None:
    path = Path(options["file"])
    actor = command.user_named(options.get("actor"))
    try:
        report = delivery_import(
            path=path,
            cycle=options["cycle"],
            actor=actor,
            dry_run=options["dry_run"],
            confirm=options["confirm"],
        )
    except ConfirmationNeeded as error:
        for line in preview_lines(error.report):
            command.stdout.write(line)
        raise command.refuse_unconfirmed(error) from None
    except KetnghiaError as error:
        out = options.get("errors_out")
        if out and path.is_file():
            Path(out).write_bytes(
                DELIVERIES.error_workbook(path, file_name=path.name, problems=error.problems)
            )
            command.stderr.write(_("The problems are listed in %(file)s.") % {"file": out})
        raise
    prefix = _("Dry run, nothing written. ") if report.dry_run else ""
    lines = preview_lines(report)
    command.stdout.write(prefix + lines[0])
    for line in lines[1:]:
        command.stdout.write(line)


def _template_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--cycle", type=int, required=True, metavar="ID")
    parser.add_argument("--out", required=True, metavar="FILE.xlsx")
    parser.add_argument(
        "--xlsform",
        action="store_true",
        help=str(gettext_lazy("Write the field form (XLSForm) instead of the template.")),
    )
    parser.add_argument("--actor", metavar="USERNAME")


def _template(command: Any, options: dict[str, Any]) -> None:
    from ketnghia.support.delivery_import.template import delivery_template
    from ketnghia.support.delivery_import.xlsform import delivery_xlsform

    actor = command.user_named(options.get("actor"))
    scope = gate.EVERYTHING if actor is None else gate.scope_for(actor, gate.Action.EDIT)
    cycle = selectors.cycle_get_for(scope=scope, pk=options["cycle"])
    content = delivery_xlsform(cycle) if options["xlsform"] else delivery_template(cycle)
    Path(options["out"]).write_bytes(content)
    command.stdout.write(_("Written: %(file)s") % {"file": options["out"]})


register(
    Subcommand(
        "deliveries-import",
        gettext_lazy(
            "Import what a cycle's households received (its filled template, or the field "
            "form's CSV export); all or nothing."
        ),
        _import_arguments,
        _import,
    )
)
register(
    Subcommand(
        "deliveries-template",
        gettext_lazy("Write a cycle's delivery template (.xlsx) or its field form (XLSForm)."),
        _template_arguments,
        _template,
    )
)
