"""Development programs (such as Kon Tum's Resolution 04) and their commune lists."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Program(models.Model):
    """A program with its legal basis; which communes it targets lives in ProgramCommune."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    legal_document = models.CharField(_("legal document"), max_length=255, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    # Which layout its documents take: a People's Committee's (Decree 30/2020) or a Party
    # committee's (Hướng dẫn 36-HD/VPTW) — a resolution of the provincial Party committee
    # may be reviewed by either, so it is the province's choice.
    issuing_body = models.CharField(
        _("issuing body"),
        max_length=10,
        choices=[
            ("state", _("a state body (Decree 30/2020)")),
            ("party", _("a Party committee (Guide 36-HD/VPTW)")),
        ],
        default="state",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["start_date", "code"]

    def __str__(self) -> str:
        return self.name


class ProgramCommune(models.Model):
    """A commune on a program's list for a period; a revision closes one row and opens another."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("program")
    )
    commune = models.ForeignKey(
        "geo.Unit",
        on_delete=models.PROTECT,
        related_name="program_memberships",
        verbose_name=_("commune"),
    )
    is_key = models.BooleanField(_("key commune"), default=False)
    valid_from = models.DateField(_("on the list from"))
    valid_to = models.DateField(_("on the list until"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("program commune")
        verbose_name_plural = _("program communes")
        ordering = ["program", "commune__path", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "commune", "valid_from"], name="uniq_program_commune_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program.code}: {self.commune}"
