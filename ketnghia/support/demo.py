"""The demo's support, 2008–2015: synthetic documents, funds, packages and delivery cycles tied
to the demo's census and twinning network, written through the real services.

Every record is marked synthetic. Per year: a provincial decision with a central-budget fund
(breeding livestock, even years) or a provincial fund (seedlings, odd years) delivered to the
poor households of a few key communes, chosen by the target rule on the previous year's
census; and gifts of twinning units (latrines for large poor households) and enterprises (a
cultural house for a village) to the communes they are twinned with. A second load changes
nothing.

The census was planned knowing the livestock rounds (`key_communes_of_year`,
`package_kind_of_year`): their households leave poverty more often (`PLANTED_EFFECT`), so the
outcome page has a known effect to find.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.db.models import Q, Sum

from ketnghia.accounts.models import Actor
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.support import services
from ketnghia.support.models import Cycle, LegalDocument, Package
from ketnghia.twinning.models import OrganisationKind, Twinning

YEARS = range(2008, 2016)
KEY_COMMUNES_PER_YEAR = 5
GIFTS_PER_YEAR = 3
SYNTHETIC = "(Dữ liệu giả lập) "
T = TypeVar("T")
# The demo's census plants an effect of the livestock rounds (synthetic, `demo.census.
# plant_support`): of the poor households a round reached, 15 in 100 more leave poverty each
# following year than would have; seedlings and the gifts have none. The outcome page should
# find about +0.15 for livestock and about 0 for seedlings.
PLANTED_KIND = "livestock"
PLANTED_EFFECT = 0.15


def key_communes_of_year(year: int, key: Sequence[T]) -> list[T]:
    """Return the key communes (in path order) that the demo's yearly decision of `year` names."""
    start = (year * 7) % max(len(key), 1)
    return (list(key[start:]) + list(key[:start]))[:KEY_COMMUNES_PER_YEAR]


def package_kind_of_year(year: int) -> str:
    """Return the package kind of the demo's yearly decision: livestock in even years."""
    return "livestock" if year % 2 == 0 else "seedlings"


@dataclass
class SupportReport:
    documents: int = 0
    funds: int = 0
    cycles: int = 0
    deliveries: int = 0


def _province(program: Program) -> Unit:
    first = program.memberships.select_related("commune").first()
    path = first.commune.path if first else ""
    code = path.strip("/").split("/")[0] if path else ""
    return Unit.objects.get(code=code, level=UnitLevel.PROVINCE)


def _deliver(cycle: Cycle, *, year: int, fund_top_up: bool = True) -> int:
    """Submit, approve, deliver and reconcile a proposed cycle (the system as actor)."""
    if not cycle.deliveries.exists():
        services.cycle_cancel(cycle=cycle, reason="Không có hộ đủ điều kiện", actor=None)
        return 0
    if fund_top_up:
        need = cycle.deliveries.aggregate(total=Sum("entitled_value"))["total"] or 0
        services.fund_allocate(
            fund=cycle.fund,
            amount=need,
            entered_on=cycle.decision_date,
            reason=f"Phân bổ cho {cycle.name}",
            actor=None,
        )
    services.cycle_submit(cycle=cycle, actor=None)
    services.cycle_approve(cycle=cycle, actor=None, on=cycle.decision_date)
    services.cycle_deliver(cycle=cycle, delivered_on=date(year, 6, 15), actor=None)
    services.cycle_reconcile(cycle=cycle, actor=None)
    return cycle.deliveries.count()


def _package(document: LegalDocument, **values: Any) -> Package:
    return services.package_create(document=document, actor=None, **values)


def write_support(*, program_code: str, seed: int, actor: Actor = None) -> SupportReport:
    """Write the demo's support for the program (nothing when it is there already)."""
    report = SupportReport()
    program = Program.objects.filter(code=program_code).first()
    if program is None or LegalDocument.objects.filter(program=program, synthetic=True).exists():
        return report
    province = _province(program)
    rng = random.Random(seed)
    services.document_create(
        program=program,
        number="04-NQ/TU",
        issued_on=date(2007, 6, 1),
        issuer="Tỉnh ủy Kon Tum",
        kind="resolution",
        unit=province,
        summary=SYNTHETIC + "Nghị quyết về đẩy mạnh phát triển các xã đặc biệt khó khăn",
        synthetic=True,
        actor=actor,
    )
    report.documents += 1
    for year in YEARS:
        on = date(year, 12, 31)
        key = list(
            Unit.objects.filter(
                pk__in=ProgramCommune.objects.filter(
                    Q(valid_to__isnull=True) | Q(valid_to__gte=on),
                    program=program,
                    is_key=True,
                    valid_from__lte=on,
                ).values("commune_id")
            ).order_by("path")
        )
        chosen = key_communes_of_year(year, key)
        livestock = package_kind_of_year(year) == "livestock"
        document = services.document_create(
            program=program,
            number=f"{100 + year % 100}/QĐ-UBND",
            issued_on=date(year, 3, 1),
            issuer="Ủy ban nhân dân tỉnh Kon Tum",
            kind="decision",
            unit=province,
            summary=SYNTHETIC
            + f"Hỗ trợ {'con giống' if livestock else 'cây giống'} cho hộ nghèo các xã trọng "
            f"điểm đặc biệt khó khăn năm {year}",
            synthetic=True,
            actor=actor,
        )
        fund = services.fund_create(
            document=document,
            year=year,
            source="central" if livestock else "province",
            unit=province,
            actor=actor,
        )
        package = (
            _package(
                document,
                name=f"Bò cái giống {year}",
                kind="livestock",
                form="in_kind",
                unit="con",
                unit_value=8_000_000 + 500_000 * (year - 2008),
                quantity="1",
                cap="1",
                recipient_level="household",
                target_rule="poor == 1 and key_commune == 1",
            )
            if livestock
            else _package(
                document,
                name=f"Cây cà phê giống {year}",
                kind="seedlings",
                form="in_kind",
                unit="cây",
                unit_value=3_000,
                quantity="100",
                multiplier="members",
                cap="500",
                recipient_level="household",
                target_rule="(poor == 1 or near_poor == 1) and key_commune == 1",
            )
        )
        report.documents += 1
        report.funds += 1
        for commune in chosen:
            cycle = services.cycle_create(
                package=package,
                fund=fund,
                commune=commune,
                name=f"{package.name} – {commune.name}",
                decision_number=document.number,
                decision_date=date(year, 3, 15),
                census_as_of=date(year - 1, 12, 31),
                synthetic=True,
                actor=actor,
            )
            services.cycle_propose(cycle=cycle, actor=actor)
            report.deliveries += _deliver(cycle, year=year)
            report.cycles += 1
        report.funds += _write_gifts(program, province, year, rng, report)
    return report


def _write_gifts(
    program: Program, province: Unit, year: int, rng: random.Random, report: SupportReport
) -> int:
    """Gifts of twinning units and enterprises to the communes they are twinned with."""
    on = date(year, 6, 30)
    twinnings = list(
        Twinning.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on),
            start_date__lte=on,
            commune__program_memberships__program=program,
        )
        .select_related("organisation", "commune")
        .distinct()
        .order_by("commune__path", "organisation__name")
    )
    if not twinnings:
        return 0
    funds = 0
    for twinning in rng.sample(twinnings, min(GIFTS_PER_YEAR, len(twinnings))):
        giver = twinning.organisation
        enterprise = giver.kind == OrganisationKind.ENTERPRISE
        short = giver.short_name or "ĐVKN"
        document = services.document_create(
            program=program,
            number=f"{rng.randint(10, 99)}/KH-{short}-{twinning.commune.code}",
            issued_on=date(year, 5, 1),
            issuer=giver.name,
            kind="plan",
            unit=province,
            summary=SYNTHETIC + f"Kế hoạch hỗ trợ xã kết nghĩa {twinning.commune.name} năm {year}",
            synthetic=True,
            actor=None,
        )
        fund = services.fund_create(
            document=document,
            year=year,
            source="enterprise" if enterprise else "twinning_unit",
            organisation=giver,
            unit=twinning.commune,
            actor=None,
        )
        if enterprise:
            package = _package(
                document,
                name="Nhà văn hóa thôn",
                kind="infrastructure",
                form="in_kind",
                unit="công trình",
                unit_value=250_000_000,
                quantity="1",
                cap="1",
                recipient_level="village",
                target_rule="program_commune == 1",
            )
        else:
            package = _package(
                document,
                name="Nhà tiêu hợp vệ sinh",
                kind="latrine",
                form="in_kind",
                unit="công trình",
                unit_value=4_000_000,
                quantity="1",
                cap="1",
                recipient_level="household",
                target_rule="poor == 1 and members >= 7",
            )
        cycle = services.cycle_create(
            package=package,
            fund=fund,
            commune=twinning.commune,
            name=f"{package.name} – quà của {giver.short_name or giver.name}",
            decision_number=document.number,
            decision_date=date(year, 5, 1),
            census_as_of=date(year - 1, 12, 31),
            synthetic=True,
            actor=None,
        )
        if enterprise:
            village = (
                Unit.objects.filter(parent=twinning.commune, level=UnitLevel.VILLAGE)
                .order_by("code")
                .first()
            )
            if village is not None:
                services.delivery_add(cycle=cycle, unit=village, actor=None)
        else:
            services.cycle_propose(cycle=cycle, actor=None)
        report.deliveries += _deliver(cycle, year=year)
        report.cycles += 1
        report.documents += 1
        funds += 1
    return funds
