"""An import job (one uploaded file of reports) and the problems found in its rows."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    VALIDATING = "validating", _("Checking the rows")
    READY = "ready", _("Ready to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    JSONL = "jsonl", "JSONL"


class ImportJob(models.Model):
    """One uploaded file of reports, from upload to the last row stored.

    The file is kept as received (its SHA-256 recorded) and read again for the
    preview, the import and the error file, so all three see the same rows.
    `processed` is the import's checkpoint: the rows before it are done, and a
    worker that dies resumes there (each batch of rows and the checkpoint
    commit together, `reports/imports/services.py`).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs", verbose_name=_("uploaded by")
    )
    monitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed as"),
        help_text=_("The account the imported reports are filed under."),
    )
    via_api = models.BooleanField(default=False)
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(_("format"), max_length=8, choices=ImportFormat.choices)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    language = models.CharField(max_length=8, default="en", help_text="The uploader's language, for the messages.")
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.VALIDATING)
    failure = models.TextField(_("why it failed"), blank=True)

    rows = models.PositiveIntegerField(_("rows"), default=0)
    valid = models.PositiveIntegerField(_("valid rows"), default=0)
    preview_new = models.PositiveIntegerField(_("new rows"), default=0, help_text="Valid rows not yet stored.")
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    checked = models.PositiveIntegerField(default=0, help_text="Rows checked so far (the preview's progress).")
    processed = models.PositiveIntegerField(default=0, help_text="Rows imported so far: the checkpoint.")
    imported = models.PositiveIntegerField(_("imported"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    conflicts = models.PositiveIntegerField(_("conflicts"), default=0)

    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of the worker on it.")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="import_job_status_heartbeat")]
        constraints = [
            models.CheckConstraint(
                name="import_job_status_valid",
                condition=Q(status__in=["validating", "ready", "importing", "done", "failed"]),
            ),
            models.CheckConstraint(name="import_job_format_valid", condition=Q(format__in=["csv", "xlsx", "jsonl"])),
            models.CheckConstraint(name="import_job_processed_within_rows", condition=Q(processed__lte=F("rows"))),
            models.CheckConstraint(
                name="import_job_outcomes_within_processed",
                condition=Q(processed__gte=F("imported") + F("unchanged") + F("conflicts")),
            ),
        ]

    def __str__(self) -> str:
        return self.filename or str(self.pk)


class IssueSeverity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")


class ImportIssue(models.Model):
    """A problem with one row (or the header, row 1): the field and the reason, in the uploader's language."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(_("row"))
    field = models.CharField(_("field"), max_length=100)
    reason = models.TextField(_("reason"))
    severity = models.CharField(max_length=8, choices=IssueSeverity.choices, default=IssueSeverity.ERROR)

    class Meta:
        ordering = ["job", "row", "id"]
        verbose_name = _("import problem")
        constraints = [
            # The import phase may find again what the preview found; it is recorded once.
            models.UniqueConstraint(fields=["job", "row", "field", "reason"], name="import_issue_once"),
            models.CheckConstraint(name="import_issue_severity_valid", condition=Q(severity__in=["error", "warning"])),
        ]

    def __str__(self) -> str:
        return f"{self.row} {self.field}: {self.reason}"
