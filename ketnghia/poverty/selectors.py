"""The standards a census may use: the national files plus the province's local standards."""

from __future__ import annotations

from ketnghia.poverty.domain import Standard
from ketnghia.poverty.models import LocalStandard
from ketnghia.poverty.standards import builtin_standards, get_standard


def standard_registry() -> dict[str, Standard]:
    """Return every usable standard by code: national ones first, then local ones."""
    registry = dict(builtin_standards())
    for local in LocalStandard.objects.all():
        registry[local.code] = local.as_standard()
    return registry


def standard_get(code: str) -> Standard:
    """Return the national or local standard with `code`; NotFound when there is none."""
    builtin = builtin_standards()
    if code in builtin:
        return builtin[code]
    return get_standard(code, standard_registry())
