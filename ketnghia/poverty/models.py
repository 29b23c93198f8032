"""Local poverty standards that a province administrator defines without code.

A local standard starts from a national one (`base_code`) and raises its income lines; its
definition is the same dict a standard file holds, checked by `standard_from_dict`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ketnghia.core.errors import InvalidInput
from ketnghia.poverty.domain import Standard
from ketnghia.poverty.standards import builtin_standards, standard_from_dict

_LINES = ("poor", "near_poor", "average")


class LocalStandard(models.Model):
    """A province's own standard: a national one with higher income lines."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    base_code = models.CharField(
        _("based on national standard"),
        max_length=40,
        help_text=_("Indicators and rule are taken from it; only the income lines change."),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=255)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    rural_poor = models.PositiveIntegerField(_("rural poor line"))
    rural_near_poor = models.PositiveIntegerField(_("rural near-poor line"), null=True, blank=True)
    rural_average = models.PositiveIntegerField(_("rural average line"), null=True, blank=True)
    urban_poor = models.PositiveIntegerField(_("urban poor line"))
    urban_near_poor = models.PositiveIntegerField(_("urban near-poor line"), null=True, blank=True)
    urban_average = models.PositiveIntegerField(_("urban average line"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("local poverty standard")
        verbose_name_plural = _("local poverty standards")
        ordering = ["first_year", "code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name_vi}"

    def clean(self) -> None:
        """Check the definition exactly as a standard file is checked."""
        if self.code in builtin_standards():
            raise ValidationError({"code": _("This code belongs to a national standard.")})
        try:
            self.as_standard()
        except InvalidInput as error:
            raise ValidationError([str(problem) for problem in error.problems]) from error

    def definition(self) -> dict[str, Any]:
        """Return the standard-file dict this row stands for."""
        thresholds = {
            area: {
                line: getattr(self, f"{area}_{line}")
                for line in _LINES
                if getattr(self, f"{area}_{line}") is not None
            }
            for area in ("rural", "urban")
        }
        return {
            "code": self.code,
            "base": self.base_code,
            "name": {"vi": self.name_vi, "en": self.name_en or self.name_vi},
            "legal_basis": {"vi": self.legal_basis, "en": self.legal_basis},
            "first_year": self.first_year,
            "last_year": self.last_year,
            "thresholds": thresholds,
        }

    def as_standard(self) -> Standard:
        return standard_from_dict(self.definition(), source=f"local:{self.code}")
