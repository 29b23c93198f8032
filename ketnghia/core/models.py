"""Installation-wide records: which data sets this installation holds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dataset(models.Model):
    """A data set loaded into this installation; a `demo` row puts the demo marker on pages."""

    DEMO = "demo"

    kind = models.CharField(_("kind"), max_length=20, unique=True)
    description = models.TextField(_("description"), blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("data set")
        verbose_name_plural = _("data sets")

    def __str__(self) -> str:
        return self.kind


def holds_demo_data() -> bool:
    """Return whether the synthetic demo data set is loaded."""
    return Dataset.objects.filter(kind=Dataset.DEMO).exists()


def demo_dataset() -> Dataset | None:
    """Return the demo data set's record (what it invents, what is real), if it is loaded."""
    return Dataset.objects.filter(kind=Dataset.DEMO).first()
