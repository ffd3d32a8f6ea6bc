"""Situation reports: a coordinator's briefing for a period and areas, frozen as of its cut-off.

The figures are read once, by the worker that generates the report
(`incidents.situation.services.situation_report_generate`), and stored in
`figures` with the rendered HTML and PDF: the report reads the same tomorrow
whatever the register does meanwhile, and the next report compares itself with
this one's stored figures, not with today's.

Each report is rendered twice from the same snapshot: the coordinators' copy
(verified and all reported, marked) and the partners' copy, which counts
verified incidents only (a partner never sees anything unverified).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SituationReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being generated")
    DONE = "done", _("Ready")
    FAILED = "failed", pgettext_lazy("situation report", "Failed")


class SituationReport(models.Model):
    """One generated situation report: period, areas, language, its frozen figures, HTML and PDF."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    # Governorate and district p-codes the report covers; empty: every area.
    areas = models.JSONField(_("areas"), default=list, blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    status = models.CharField(
        _("state"), max_length=10, choices=SituationReportStatus.choices, default=SituationReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_step = models.CharField(max_length=100, blank=True, default="")
    error = models.CharField(max_length=300, blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    # The instant the figures were read: everything in the report is as of then.
    cut_off = models.DateTimeField(_("data cut-off"), null=True, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    # The report this one states its changes against: the latest earlier one of the same areas and language.
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("previous report")
    )
    # The coordinators' copy: verified and all reported side by side, unverified claims marked.
    html = models.TextField(blank=True, default="")
    pdf = models.BinaryField(blank=True, default=b"")
    # The partners' copy (`/api/v1/situation-reports/`): verified incidents and verified reports' claims only.
    partner_html = models.TextField(blank=True, default="")
    partner_pdf = models.BinaryField(blank=True, default=b"")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["published_at"], name="sitrep_published")]
        constraints = [
            models.CheckConstraint(name="sitrep_period_ordered", condition=Q(period_end__gte=F("period_start"))),
            models.CheckConstraint(
                name="sitrep_status_valid", condition=Q(status__in=[v for v, _l in SituationReportStatus.choices])
            ),
            models.CheckConstraint(name="sitrep_progress_0_100", condition=Q(progress__lte=100)),
            models.CheckConstraint(
                name="sitrep_done_has_cut_off", condition=~Q(status="done") | Q(cut_off__isnull=False)
            ),
            models.CheckConstraint(
                name="sitrep_published_only_when_done",
                condition=Q(published_at__isnull=True) | Q(status="done", published_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end} {self.language}"

    @property
    def is_done(self) -> bool:
        return self.status == SituationReportStatus.DONE
