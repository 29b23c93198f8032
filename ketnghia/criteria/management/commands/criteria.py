"""`ketnghia criteria`: list the criteria sets, store the shipped ones, evaluate a set."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any, cast

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.commands import BaseCommand
from ketnghia.core.errors import KetnghiaError
from ketnghia.criteria import selectors, services
from ketnghia.criteria.domain import Level, Outcome
from ketnghia.criteria.importing import INFRASTRUCTURE
from ketnghia.imports.records import RecordsCommand
from ketnghia.poverty.management.commands._problems import fail
from ketnghia.programs.selectors import program_get


class _InfrastructureImport(RecordsCommand):
    """`criteria import-infrastructure`: the infrastructure spec's command (the file,
    --dry-run, --confirm, --errors-out, --actor; the preview; refused with exit code 2)."""

    spec = INFRASTRUCTURE


class Command(BaseCommand):
    help = gettext_lazy("Criteria sets: list them, store the shipped ones, evaluate one.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("sets", help=str(gettext_lazy("List the criteria sets.")))
        listing.add_argument("--json", action="store_true")
        sub.add_parser("sync", help=str(gettext_lazy("Store the shipped sets as versions.")))
        load = sub.add_parser(
            "import-infrastructure", help=str(gettext_lazy("Import commune infrastructure."))
        )
        _InfrastructureImport().add_arguments(cast(CommandParser, load))  # parser_class
        evaluate = sub.add_parser(
            "evaluate", help=str(gettext_lazy("Evaluate a set for one year."))
        )
        evaluate.add_argument("--set", required=True, dest="set_code", metavar="CODE")
        evaluate.add_argument("--year", required=True, type=int)
        evaluate.add_argument("--level", required=True, choices=Level.values)
        evaluate.add_argument("--program", metavar="CODE")
        evaluate.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except KetnghiaError as error:
            raise fail(self, error) from None

    def _sets(self, options: dict[str, Any]) -> None:
        sets = selectors.criteria_sets_list()
        if options["json"]:
            data = [
                {
                    "code": s.code,
                    "version": s.version,
                    "level": s.level,
                    "name": s.name.vi,
                    "first_year": s.first_year,
                    "last_year": s.last_year,
                    "example": s.example,
                    "verified": s.verified,
                    "criteria": [c.code for c in s.criteria],
                }
                for s in sets
            ]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for s in sets:
            self.stdout.write(
                f"{s.code}\tv{s.version}\t{s.level}\t{s.first_year}–{s.last_year}\t"
                f"{len(s.criteria)}\t{s.name.vi}"
            )

    def _sync(self, options: dict[str, Any]) -> None:
        for key, what in services.criteria_sets_sync().items():
            self.stdout.write(f"{key}\t{what}")

    def _import_infrastructure(self, options: dict[str, Any]) -> None:
        command = _InfrastructureImport()
        command.stdout, command.stderr = self.stdout, self.stderr
        command.handle(**options)

    def _evaluate(self, options: dict[str, Any]) -> None:
        year, level = options["year"], options["level"]
        criteria_set = selectors.criteria_set_get(code=options["set_code"], level=level, year=year)
        program = program_get(options["program"]) if options["program"] else None
        units = selectors.units_for(level=level, year=year, program=program)
        evaluation, _table = selectors.evaluate_units(
            criteria_set=criteria_set, units=units, year=year
        )
        rows = []
        for index, unit in enumerate(units):
            result = evaluation.result(index)
            rows.append(
                {
                    "code": unit.code,
                    "name": unit.name,
                    "result": result.outcome.code,
                    "failing": result.failing,
                    "missing": result.skipped,
                }
            )
        counts = evaluation.counts()
        if options["json"]:
            data = {
                "set": criteria_set.code,
                "version": criteria_set.version,
                "level": level,
                "year": year,
                "program": options["program"],
                "units": rows,
                "counts": {**counts, "total": len(rows)},
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(f"{row['code']}\t{row['result']}\t{', '.join(row['failing'])}")
        self.stdout.write(
            _("%(meets)s meet, %(basic)s basically meet, %(not_met)s do not (of %(total)s).")
            % {
                "meets": counts[Outcome.MEETS.code],
                "basic": counts[Outcome.BASICALLY_MEETS.code],
                "not_met": counts[Outcome.NOT_MET.code],
                "total": len(rows),
            }
        )
