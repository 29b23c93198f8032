"""The one job model every web upload runs through, whatever its importer (spec)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    # Checked, not imported: it waits for the officer's confirmation after the preview.
    CONFIRM = "confirm", _("Waiting for confirmation")


class ImportJob(models.Model):
    """One uploaded file and what its import did: the spec, the scope, progress, the report.

    `key` names the job in its URLs (not guessable); `spec` is the importer's path
    ("module:Class", `imports.spec.spec_load`); `scope` its plain-data scope (a team id,
    a commune code). `report` holds the report (the preview), or the problems found, each
    with file, sheet, row, column and message; `errors` their workbook.
    """

    key = models.CharField(max_length=32, unique=True)
    spec = models.CharField(max_length=200)
    scope = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(_("file"), max_length=255, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    # A second file some importers take beside the first (the assignments' people file).
    companion = models.FileField(max_length=255, blank=True)
    companion_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    dry_run = models.BooleanField(_("check only"), default=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ImportJobState.choices, default=ImportJobState.QUEUED
    )
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)
    errors = models.FileField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in {ImportJobState.DONE, ImportJobState.FAILED, ImportJobState.CONFIRM}

    @property
    def may_confirm(self) -> bool:
        """Whether the file waits to be imported for real: a check that found changes, or a
        refusal that only waits for a confirmation."""
        if self.state == ImportJobState.CONFIRM:
            return True
        outcome = self.report.get("report") or {}
        return bool(
            self.state == ImportJobState.DONE and self.dry_run and outcome.get("would_change")
        )

    @property
    def percent(self) -> int | None:
        """Return how far the import is, 0–100, or None while the row count is unknown."""
        if self.state == ImportJobState.DONE:
            return 100
        if not self.rows_total:
            return None
        return min(99, 100 * self.rows_done // self.rows_total)
