"""`ketnghia standards`: list the poverty standards, their lines and indicators (no database)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.commands import BaseCommand
from ketnghia.core.errors import InvalidInput, KetnghiaError, Location, Problem
from ketnghia.core.text import format_number
from ketnghia.poverty.domain import Standard
from ketnghia.poverty.management.commands._problems import fail
from ketnghia.poverty.standards import builtin_standards, load_standard_file


def with_local_files(paths: list[str]) -> dict[str, Standard]:
    """Return the built-in standards plus those of `paths`, which may build on them."""
    standards = dict(builtin_standards())
    for path in paths:
        standard = load_standard_file(Path(path), bases=standards)
        if standard.code in standards:
            raise InvalidInput(
                Problem(
                    _("Duplicate code “%(code)s”.") % {"code": standard.code},
                    Location(file=Path(path).name, field="code"),
                )
            )
        standards[standard.code] = standard
    return standards


class Command(BaseCommand):
    help = gettext_lazy(
        "List the poverty standards: code, years, income lines and indicator codes in order."
    )
    # Auditors run this where there is no database: no checks, nothing touches it.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help=gettext_lazy("Print JSON."))
        parser.add_argument(
            "--standard-file",
            action="append",
            default=[],
            metavar="FILE.toml",
            help=gettext_lazy("Also check and list a local standard file (repeatable)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            standards = with_local_files(options["standard_file"])
        except KetnghiaError as error:
            raise fail(self, error) from None
        if options["json"]:
            data = [
                {**standard.as_dict(), "indicator_codes": list(standard.indicator_codes)}
                for standard in standards.values()
            ]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(self._table(standards.values()))

    def _table(self, standards: Any) -> str:
        def line(value: int | None) -> str:
            return format_number(value) if value is not None else "–"

        header = [
            _("code"),
            _("years"),
            _("area"),
            _("poor ≤"),
            _("near-poor ≤"),
            _("average ≤"),
            _("rule"),
        ]
        rows = []
        notes = []
        for standard in standards:
            for area, lines in (("rural", standard.rural), ("urban", standard.urban)):
                first = area == "rural"
                rows.append(
                    [
                        standard.code if first else "",
                        f"{standard.first_year}–{standard.last_year}" if first else "",
                        area,
                        line(lines.poor),
                        line(lines.near_poor),
                        line(lines.average),
                        str(standard.rule) if first else "",
                    ]
                )
            if standard.indicators:
                notes.append(
                    _("%(code)s: deprived on at least %(k)s of %(n)s indicators: %(codes)s")
                    % {
                        "code": standard.code,
                        "k": standard.deprivation_threshold,
                        "n": len(standard.indicators),
                        "codes": ", ".join(standard.indicator_codes),
                    }
                )
            if not standard.verified:
                notes.append(
                    _("%(code)s is UNVERIFIED: %(note)s")
                    % {"code": standard.code, "note": standard.note}
                )
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        text = [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in [header, *rows]
        ]
        text.insert(1, "  ".join("-" * width for width in widths))
        return "\n".join([*text, "", *notes])
