"""The commune map of a province: the shapes the dashboards' choropleth is drawn on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ketnghia.dashboards.rules import CommuneMapData


class CommuneMap(models.Model):
    """The communes of one province as shapes, from a GeoJSON an administrator uploaded.

    Only what the drawing needs is kept (`data`: the shapes by commune code and their
    bounds, see `rules.CommuneMapData`); a new upload replaces the province's map, and the
    history keeps the earlier ones.
    """

    province = models.OneToOneField(
        "geo.Unit",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="commune_map",
    )
    code_property = models.CharField(_("code property"), max_length=60)
    file_name = models.CharField(_("file name"), max_length=255)
    commune_count = models.PositiveIntegerField(_("communes drawn"))
    data = models.JSONField(_("shapes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commune map")
        verbose_name_plural = _("commune maps")

    def __str__(self) -> str:
        return f"{self.province} · {self.file_name}"

    def shapes(self) -> CommuneMapData:
        return CommuneMapData.from_json(self.data)


class DashboardRow(models.Model):
    """A province's dashboard for one program and variant, in the last year with figures,
    shaped for the page.

    Written by `services.dashboard_rows_write` after every change of what the dashboard
    shows — each bump of the aggregates' data version (a refresh, a rebuild, a target, a
    commune map), for the provinces bumped: in a rebuild's transaction, by a task once the
    others commit (`tasks.py`) — and stamped with that version:
    the page reads this one row and draws it, and computes afresh only when the row is
    missing or of another version. `data` is language-neutral (`rows.encode`).
    """

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    unit = models.ForeignKey(
        "geo.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    official = models.BooleanField(_("approved rounds only"), default=True)
    # The data version the row was shaped under (`indicators.cache.Version.token`).
    version = models.CharField(_("version"), max_length=64)
    data = models.JSONField(_("shaped dashboard"))

    class Meta:
        verbose_name = _("dashboard row")
        verbose_name_plural = _("dashboard rows")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "unit", "official", "year"], name="uniq_dashboard_row"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.unit_id} {self.year} {self.official}"
