"""Installation-wide records: which data sets this installation holds."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
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


class DisclosureChannel(models.TextChoices):
    """How personal data left the system."""

    PAGE = "page", _("web page")
    API = "api", _("API")
    DOWNLOAD = "download", _("download")
    EXPORT = "export", _("export")
    CLI = "cli", _("command line")


class PersonalDataDisclosure(models.Model):
    """One output showed someone personal data (ID numbers, phones, birth dates) in full.

    Decree 13/2023/NĐ-CP asks that processing of personal data be logged: who, when, through
    which output, about whom (the household for a one-household view, else how many). One
    row per output served, written by `core.personal_data.Disclosure`, never edited.
    """

    # None: the operator at the server's command line (the OS account is in `detail`).
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    output = models.CharField(_("output"), max_length=60)
    channel = models.CharField(_("through"), max_length=8, choices=DisclosureChannel.choices)
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="disclosures",
        verbose_name=_("household"),
    )
    # The unit whose people were shown (the household's, or the commune of a download), so the
    # admin shows each administrator the rows of their province only.
    unit_path = models.CharField(max_length=255, db_index=True, blank=True)
    subjects = models.PositiveIntegerField(_("households shown in full"), default=0)
    kinds = models.CharField(_("data shown"), max_length=60, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("personal data disclosure")
        verbose_name_plural = _("personal data disclosures")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user or _('command line')} → {self.output} ({self.at:%Y-%m-%d %H:%M})"


class Attachment(models.Model):
    """An uploaded file (minutes, photos, evidence), checked by content, served through the gate.

    Stored under a generated name (`stored`); the uploader's name is kept in `original_name`
    and only ever sent back in a `Content-Disposition: attachment` header.
    """

    # The address of its download: not guessable, and the gate decides anyway.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    stored = models.FileField(_("file"), upload_to="attachments/%Y/%m/", max_length=255)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    purpose = models.CharField(_("purpose"), max_length=60)
    # The unit the file belongs to: the gate decides who may download it from this path.
    unit_path = models.CharField(max_length=255, db_index=True)
    uploaded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
