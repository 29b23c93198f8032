"""A small support setting: Ngọk Wang's census 2014–2016 (households A, B, C, D), a program
listing it as a key commune, a provincial resolution with a fund and a livestock package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.utils import translation

from ketnghia.census.tests.factories import series
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.support import services
from ketnghia.support.models import Fund, LegalDocument, Package


@pytest.fixture(autouse=True)
def _english_messages():
    """Check refusals against their English msgids, whatever the catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Setting:
    program: Program
    document: LegalDocument
    fund: Fund
    package: Package


def make_setting(tree, users, *, allocated: int = 10_000_000) -> Setting:
    series(tree, users)
    program = Program.objects.create(
        code="nq04", name="Nghị quyết 04-NQ/TU", start_date=date(2007, 1, 1)
    )
    ProgramCommune.objects.create(
        program=program, commune=tree.ngok_wang, is_key=True, valid_from=date(2007, 1, 1)
    )
    ProgramCommune.objects.create(
        program=program, commune=tree.dak_mar, is_key=False, valid_from=date(2007, 1, 1)
    )
    document = services.document_create(
        program=program,
        number="123/QĐ-UBND",
        issued_on=date(2016, 3, 1),
        issuer="Ủy ban nhân dân tỉnh Kon Tum",
        kind="decision",
        unit=tree.province,
        summary="Hỗ trợ bò giống cho hộ nghèo xã trọng điểm",
        actor=users.province_admin,
    )
    fund = services.fund_create(
        document=document, year=2016, source="province", unit=tree.province, actor=None
    )
    services.fund_allocate(
        fund=fund, amount=allocated, entered_on=date(2016, 3, 1), actor=users.province_admin
    )
    package = services.package_create(
        document=document,
        name="Bò giống",
        kind="livestock",
        form="in_kind",
        unit="con",
        unit_value=1_000_000,
        quantity="1",
        multiplier="members",
        cap="3",
        recipient_level="household",
        target_rule="poor == 1 and key_commune == 1",
        actor=users.province_admin,
    )
    return Setting(program, document, fund, package)


@pytest.fixture
def setting(tree, users) -> Setting:
    return make_setting(tree, users)


def open_cycle(setting: Setting, tree, users, **kwargs):
    values = {
        "package": setting.package,
        "fund": setting.fund,
        "commune": tree.ngok_wang,
        "name": "Cấp bò giống 2016 — Ngọk Wang",
        "decision_date": date(2016, 4, 1),
        "census_as_of": date(2015, 12, 31),
        "actor": users.commune_officer,
    }
    values.update(kwargs)
    return services.cycle_create(**values)
