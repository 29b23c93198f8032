"""Auditors' CLI: `ketnghia support models|outcomes --program CODE [--json]`.

The functions here are what the `support` command's subcommands call (registered by the
economy app's AppConfig.ready).
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.errors import KetnghiaError
from ketnghia.core.gate import EVERYTHING
from ketnghia.economy import outcomes
from ketnghia.economy.panel import program_outcomes
from ketnghia.economy.selectors import model_rows
from ketnghia.programs.models import Program
from ketnghia.programs.selectors import program_get


def _program(code: str) -> Program:
    try:
        return program_get(code)
    except KetnghiaError as error:
        raise CommandError("; ".join(str(p) for p in error.problems), returncode=2) from None


def add_models_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--program", required=True, metavar="CODE")
    parser.add_argument("--json", action="store_true", help=gettext_lazy("Print JSON."))


def run_models(options: dict[str, Any], stdout: TextIO) -> None:
    """Print every economic model of the program with its households and replications."""
    program = _program(options["program"])
    rows = model_rows(scope=EVERYTHING, program=program)
    if options.get("json"):
        payload = {"program": program.code, "models": [row.as_dict() for row in rows]}
        stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    for row in rows:
        stdout.write(
            _(
                "%(code)s %(name)s (%(kind)s, %(village)s): %(households)s households; "
                "replicated to %(villages)s villages and %(replicated)s households"
            )
            % {
                "code": row.code,
                "name": row.name,
                "kind": row.kind_label,
                "village": row.host_village,
                "households": row.households,
                "villages": row.replicated_villages,
                "replicated": row.replicated_households,
            }
            + "\n"
        )


def add_outcomes_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--program", required=True, metavar="CODE")
    parser.add_argument(
        "--kind", action="append", metavar="KIND", help=gettext_lazy("Only this package kind.")
    )
    parser.add_argument("--json", action="store_true", help=gettext_lazy("Print JSON."))


def _period(period: outcomes.PeriodEstimate) -> dict[str, object]:
    return {"event_time": period.event_time, "year": period.year, **period.estimate.as_dict()}


def cohort_dict(cohort: outcomes.CohortResult) -> dict[str, object]:
    """Return one package kind and start year as the CLI and the API give it."""
    data: dict[str, object] = {
        "kind": cohort.kind,
        "start_year": cohort.start_year,
        "supported": cohort.supported,
        "matched": cohort.matched,
        "strata": cohort.strata,
        "balance": [row.as_dict() for row in cohort.balance],
        "pre_periods": [_period(p) for p in cohort.pre_periods],
        "post_periods": [_period(p) for p in cohort.post_periods],
        "estimated": cohort.estimated,
    }
    if cohort.att is not None:
        data["att"] = cohort.att.as_dict()
    else:
        data["reason"] = cohort.reason
    return data


def kind_dict(result: outcomes.KindResult) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": result.kind,
        "estimated": result.estimated,
        "event_study": [_period(p) for p in result.event_study],
    }
    if result.att is not None:
        data["att"] = result.att.as_dict()
    else:
        data["reason"] = result.reason
    return data


def _interval(estimate: outcomes.Estimate) -> str:
    return _("%(value)s points (95 %% interval %(low)s to %(high)s)") % {
        "value": f"{100 * estimate.value:+.1f}",
        "low": f"{100 * estimate.ci_low:+.1f}",
        "high": f"{100 * estimate.ci_high:+.1f}",
    }


def run_outcomes(options: dict[str, Any], stdout: TextIO) -> None:
    """Print, per package kind and start year, the matched difference in poverty exits."""
    program = _program(options["program"])
    results = program_outcomes(program, kinds=options.get("kind") or None)
    if options.get("json"):
        payload = {
            "program": program.code,
            "outcomes": [cohort_dict(c) for r in results for c in r.cohorts],
            "kinds": [kind_dict(r) for r in results],
        }
        stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    if not results:
        stdout.write(_("No support was delivered to households of this program.") + "\n")
    for result in results:
        for cohort in result.cohorts:
            head = _("%(kind)s from %(year)s: %(supported)s supported, %(matched)s matched") % {
                "kind": cohort.kind,
                "year": cohort.start_year,
                "supported": cohort.supported,
                "matched": cohort.matched,
            }
            tail = _interval(cohort.att) if cohort.att is not None else cohort.reason
            stdout.write(f"{head}: {tail}\n")
        overall = _interval(result.att) if result.att is not None else result.reason
        stdout.write(
            _("%(kind)s, all start years: %(result)s") % {"kind": result.kind, "result": overall}
            + "\n"
        )
